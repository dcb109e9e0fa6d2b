import { TelemetryValidated, WellTestCompleted } from '#contracts';
import { type Context, defineFunction, type EventOf, PermanentError } from '#runtime';
import { loadConfig } from '../../config/load.ts';
import { indexWellModels, type WellModelIndex, WellModels } from '../../config/well-models.ts';
import { readCurrentInputs } from './current-inputs.ts';
import { espCalculation } from './esp-calculation.ts';
import { iprCalculation } from './ipr-calculation.ts';
import { mseCalculation } from './mse-calculation.ts';
import { cacheAndAnnounce } from './results-cache.ts';
import { claimCalculationSlot, throttleKey } from './throttle.ts';

const schemas = { 'scada.telemetry.validated': TelemetryValidated, 'well-testing.test-completed': WellTestCompleted };
type Telemetry = Extract<EventOf<typeof schemas>, { topic: 'scada.telemetry.validated' }>;
type WellTest = Extract<EventOf<typeof schemas>, { topic: 'well-testing.test-completed' }>;

/**
 * Validated telemetry and completed well tests → engineering calculations.
 * A well test gives well-testing.ipr-calculated; an ESP input tag of a well with an
 * ESP model gives production.calculations (kind esp); a rig input tag gives
 * drilling.calculations (kind mse). Telemetry calculations read the well's current
 * values and run at most once per well and kind per throttle window.
 */
export default defineFunction(schemas, {
  setup: async () => indexWellModels(await loadConfig('well-models', WellModels)),
  handler: async (event, ctx, models) => {
    if (event.topic === 'well-testing.test-completed') await onWellTest(event, ctx, models);
    else await onTelemetry(event, ctx, models);
  },
});

async function onWellTest(event: WellTest, ctx: Context, models: WellModelIndex): Promise<void> {
  const test = event.data;
  const result = orPermanent(`well test ${test.testId} of ${test.wellId} gives no IPR`, () =>
    iprCalculation(test, models.model(test.wellId), Date.now()),
  );
  await cacheAndAnnounce(ctx.redis, 'ipr', result, models.settings.cacheTtlSeconds.ipr);
  count(ctx, 'ipr', 'computed');
  ctx.publish('well-testing.ipr-calculated', result, { key: test.wellId });
}

async function onTelemetry(event: Telemetry, ctx: Context, models: WellModelIndex): Promise<void> {
  const sample = event.data;
  const model = sample.wellId ? models.model(sample.wellId) : undefined;
  if (!sample.wellId || !model) return;
  const well = { wellId: sample.wellId, tenantId: sample.tenantId, fieldId: sample.fieldId };
  const { settings } = models;

  if (model.esp && sample.deviceId === model.esp.deviceId && Object.values(model.esp.tags).includes(sample.tagId)) {
    if (await heldByAnother(ctx, 'esp', well.wellId, event.id)) return count(ctx, 'esp', 'throttled');
    const inputs = await readCurrentInputs(ctx.redis, well.wellId, model.esp.tags, settings.inputMaxSpreadSeconds);
    if (!inputs.ok) return skipped(ctx, 'esp', well.wellId, inputs.reason);
    const outcome = orSkipped(() => espCalculation({ ...well, model }, inputs, Date.now()));
    if ('skipped' in outcome) return skipped(ctx, 'esp', well.wellId, outcome.skipped);
    if (!(await claimCalculationSlot(ctx.redis, 'esp', well.wellId, event.id, settings.throttleSeconds.esp)))
      return count(ctx, 'esp', 'throttled');
    await cacheAndAnnounce(ctx.redis, 'esp', outcome.result, settings.cacheTtlSeconds.esp);
    count(ctx, 'esp', 'computed');
    ctx.publish('production.calculations', outcome.result, { key: well.wellId });
  }

  const drilling = model.drilling;
  if (drilling && sample.deviceId === drilling.deviceId && Object.values(drilling.tags).includes(sample.tagId)) {
    if (await heldByAnother(ctx, 'mse', well.wellId, event.id)) return count(ctx, 'mse', 'throttled');
    const inputs = await readCurrentInputs(ctx.redis, well.wellId, drilling.tags, settings.inputMaxSpreadSeconds);
    if (!inputs.ok) return skipped(ctx, 'mse', well.wellId, inputs.reason);
    const outcome = orSkipped(() => mseCalculation({ ...well, bitDiameterIn: drilling.bitDiameterIn }, inputs, Date.now()));
    if ('skipped' in outcome) return skipped(ctx, 'mse', well.wellId, outcome.skipped);
    if (!(await claimCalculationSlot(ctx.redis, 'mse', well.wellId, event.id, settings.throttleSeconds.mse)))
      return count(ctx, 'mse', 'throttled');
    await cacheAndAnnounce(ctx.redis, 'mse', outcome.result, settings.cacheTtlSeconds.mse);
    count(ctx, 'mse', 'computed');
    ctx.publish('drilling.calculations', outcome.result, { key: well.wellId });
  }
}

/**
 * A formula refuses (RangeError) only inputs that are physically impossible. For a
 * well test that is the test's fault: dead-letter it with the reason, retrying cannot
 * help. For telemetry the sample itself is fine (validate passed it): skip the
 * calculation, never dead-letter the sample because of it.
 */
function orPermanent<T>(what: string, calculate: () => T): T {
  try {
    return calculate();
  } catch (error) {
    if (error instanceof RangeError) throw new PermanentError(`${what}: ${error.message}`);
    throw error;
  }
}

function orSkipped<T>(calculate: () => T | { skipped: string }): T | { skipped: string } {
  try {
    return calculate();
  } catch (error) {
    if (error instanceof RangeError) return { skipped: error.message };
    throw error;
  }
}

/** One cheap read before any other: most tag updates land inside a window someone else holds. */
async function heldByAnother(ctx: Context, kind: string, wellId: string, eventId: string): Promise<boolean> {
  const holder = await ctx.redis.get(throttleKey(kind, wellId));
  return holder !== null && holder !== eventId;
}

function skipped(ctx: Context, kind: string, wellId: string, reason: string): void {
  ctx.log.debug({ kind, wellId, reason }, 'calculation skipped');
  count(ctx, kind, 'skipped');
}

function count(ctx: Context, kind: string, outcome: 'computed' | 'throttled' | 'skipped'): void {
  ctx.metrics
    .counter('calculations_total', 'Calculations by kind and outcome (computed, throttled, skipped for missing or unusable inputs).', [
      'kind',
      'outcome',
    ])
    .inc({ kind, outcome });
}
