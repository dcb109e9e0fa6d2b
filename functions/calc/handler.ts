import { type DrillingCalculation, type ProductionCalculation, TelemetryValidated, WellTestCompleted } from '#contracts';
import { type Context, defineFunction, type EventOf, PermanentError } from '#runtime';
import { loadConfig } from '../../config/load.ts';
import { indexWellModels, type WellModel, type WellModelIndex, WellModels } from '../../config/well-models.ts';
import { type CurrentInputs, readCurrentInputs } from './current-inputs.ts';
import { espCalculation } from './esp-calculation.ts';
import { gasLiftCalculation } from './gas-lift-calculation.ts';
import { iprCalculation } from './ipr-calculation.ts';
import { mseCalculation } from './mse-calculation.ts';
import { cacheAndAnnounce } from './results-cache.ts';
import { claimCalculationSlot, throttleKey } from './throttle.ts';

const schemas = { 'scada.telemetry.validated': TelemetryValidated, 'well-testing.test-completed': WellTestCompleted };
type Telemetry = Extract<EventOf<typeof schemas>, { topic: 'scada.telemetry.validated' }>;
type WellTest = Extract<EventOf<typeof schemas>, { topic: 'well-testing.test-completed' }>;

/**
 * Validated telemetry and completed well tests → engineering calculations.
 * A well test gives well-testing.ipr-calculated; an ESP or gas-lift input tag of a
 * well with that lift model gives production.calculations (kind esp, gas-lift); a rig
 * input tag gives drilling.calculations (kind mse). Telemetry calculations read the
 * well's current values and run at most once per well and kind per throttle window.
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

type WellInContext = { wellId: string; tenantId: string; fieldId: string | undefined; model: WellModel };
type ReadInputs<K extends string> = Extract<CurrentInputs<K>, { ok: true }>;
type Outcome = { result: ProductionCalculation | DrillingCalculation } | { skipped: string };

/**
 * A telemetry-driven calculation: which device and tags of a well's model feed it, and
 * the pure function that turns their current values into a result (or a reason).
 */
interface TelemetryCalculation<K extends string = string> {
  kind: 'esp' | 'mse' | 'gas-lift';
  topic: 'production.calculations' | 'drilling.calculations';
  inputsOf(model: WellModel): { deviceId: string; tags: Record<K, string> } | undefined;
  calculate(well: WellInContext, inputs: ReadInputs<K>, calculatedAt: number): Outcome;
}

/** The inputs are read by exactly the keys of `tags`, so forgetting K once the pair is built is sound. */
const telemetryCalculation = <K extends string>(c: TelemetryCalculation<K>) => c as unknown as TelemetryCalculation;

const telemetryCalculations: readonly TelemetryCalculation[] = [
  telemetryCalculation({
    kind: 'esp',
    topic: 'production.calculations',
    inputsOf: (model) => model.esp,
    calculate: espCalculation,
  }),
  telemetryCalculation({
    kind: 'gas-lift',
    topic: 'production.calculations',
    inputsOf: (model) => model.gasLift,
    calculate: gasLiftCalculation,
  }),
  telemetryCalculation({
    kind: 'mse',
    topic: 'drilling.calculations',
    inputsOf: (model) => model.drilling,
    calculate: mseCalculation,
  }),
];

async function onTelemetry(event: Telemetry, ctx: Context, models: WellModelIndex): Promise<void> {
  const sample = event.data;
  const model = sample.wellId ? models.model(sample.wellId) : undefined;
  if (!sample.wellId || !model) return;
  const well = { wellId: sample.wellId, tenantId: sample.tenantId, fieldId: sample.fieldId, model };
  for (const calculation of telemetryCalculations) {
    const source = calculation.inputsOf(model);
    if (!source || sample.deviceId !== source.deviceId || !Object.values(source.tags).includes(sample.tagId)) continue;
    await runTelemetryCalculation(calculation, source.tags, well, event.id, ctx, models.settings);
  }
}

/** Throttle, read the inputs together, compute, then claim the window, cache, announce and publish. */
async function runTelemetryCalculation(
  calculation: TelemetryCalculation,
  tags: Record<string, string>,
  well: WellInContext,
  eventId: string,
  ctx: Context,
  settings: WellModelIndex['settings'],
): Promise<void> {
  const { kind } = calculation;
  if (await heldByAnother(ctx, kind, well.wellId, eventId)) return count(ctx, kind, 'throttled');
  const inputs = await readCurrentInputs(ctx.redis, well.wellId, tags, settings.inputMaxSpreadSeconds);
  if (!inputs.ok) return skipped(ctx, kind, well.wellId, inputs.reason);
  const outcome = orSkipped(() => calculation.calculate(well, inputs, Date.now()));
  if ('skipped' in outcome) return skipped(ctx, kind, well.wellId, outcome.skipped);
  if (!(await claimCalculationSlot(ctx.redis, kind, well.wellId, eventId, settings.throttleSeconds[kind])))
    return count(ctx, kind, 'throttled');
  await cacheAndAnnounce(ctx.redis, kind, outcome.result, settings.cacheTtlSeconds[kind]);
  count(ctx, kind, 'computed');
  ctx.publish(calculation.topic, outcome.result, { key: well.wellId });
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
