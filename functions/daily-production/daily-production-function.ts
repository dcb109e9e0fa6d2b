import { TelemetryValidated, WellStatusChanged, WellTestCompleted } from '#contracts';
import { type Context, defineBatchFunction, type FlowlineEvent, type TickContext } from '#runtime';
import { AssetRegistry, indexAssets } from '../../config/asset-registry.ts';
import { loadConfig } from '../../config/load.ts';
import { type FieldAccounting, metersOfWell, type Phases, ProductionAccounting, phases } from '../../config/production-accounting.ts';
import { withDataErrors } from '../persist/data-errors.ts';
import { migrate } from '../persist/migrate.ts';
import { insertWellStatusChanges } from '../persist/well-status-store.ts';
import { contractOf, type DayProduction, produceDay } from './produce-day.ts';
import { type DayBounds, productionDayOf } from './production-day.ts';
import {
  type DayMark,
  dueDays,
  hasReport,
  markDays,
  markPublished,
  markReportedDaysFrom,
  pruneReadings,
  type ReadingRow,
  recordTests,
  unpublishedReports,
  upsertReadings,
} from './production-store.ts';

export interface DailyProductionOptions {
  /** How often the tick computes due days and empties the outbox (default 10 s); tests run it by hand. */
  tickEveryMs?: number;
  /** The clock that decides which days have ended; tests set it. */
  now?: () => number;
}

/**
 * Meter readings, well status changes and well tests → production.daily-production: each
 * field's production per well and production day, allocated from its fiscal meters.
 *
 * The handler only records inputs and marks the days they touch; the tick computes each
 * marked day once it has ended, stores it as a new version when it differs from the last, and
 * publishes what is stored but not yet published (an outbox, cleared once the broker has it).
 * A late or corrected reading thus makes a revised report (version + 1), never an overwrite.
 */
export function dailyProductionFunction(options: DailyProductionOptions = {}) {
  const now = options.now ?? Date.now;
  return defineBatchFunction(
    {
      'scada.telemetry.validated': TelemetryValidated,
      'production.well-status-changed': WellStatusChanged,
      'well-testing.test-completed': WellTestCompleted,
    },
    {
      setup: async (ctx): Promise<DayProduction> => {
        // persist applies them too; whichever starts first does, under the migrations' advisory lock.
        await migrate(ctx.db);
        const accounting = await loadConfig('production-accounting', ProductionAccounting, { db: ctx.db });
        const assets = indexAssets(await loadConfig('assets', AssetRegistry, { db: ctx.db }));
        const unknown = accounting.fields.filter((f) => !assets.field(f.fieldId)).map((f) => f.fieldId);
        if (unknown.length > 0)
          throw new Error(
            `production-accounting names fields the asset registry does not have: ${unknown.join(', ')}; add them to assets or remove them`,
          );
        return { accounting, assets, fields: new Map(accounting.fields.map((f) => [f.fieldId, f])) };
      },
      handler: (events, ctx, deps) => recordInputs(events, ctx, deps, now()),
      tick: { everyMs: options.tickEveryMs ?? 10_000, run: (ctx, deps) => reportDays(ctx, deps, now()) },
    },
  );
}

type InputEvent =
  | FlowlineEvent<'scada.telemetry.validated', TelemetryValidated>
  | FlowlineEvent<'production.well-status-changed', WellStatusChanged>
  | FlowlineEvent<'well-testing.test-completed', WellTestCompleted>;

const hourMs = 3_600_000;

/** Whether a sample is one of the meters' readings (a tag of theirs, on their device when they name one). */
function isMeterReading(meters: Phases, deviceId: string, tagId: string): boolean {
  return phases.some((phase) =>
    [meters[phase]?.totalizer, meters[phase]?.rate].some(
      (m) => m && m.tagId === tagId && (m.deviceId === undefined || m.deviceId === deviceId),
    ),
  );
}

/** Stores the chunk's inputs and marks the production days they change, in one transaction. */
async function recordInputs(events: readonly InputEvent[], ctx: Context, deps: DayProduction, now: number): Promise<void> {
  const readings: ReadingRow[] = [];
  const statuses: { event: FlowlineEvent<string, WellStatusChanged>; field: FieldAccounting }[] = [];
  const tests = new Map<string, { test: WellTestCompleted; field: FieldAccounting }>();
  // Readings are kept keepReadingsDays: an older one would recompute a day from what is no longer there.
  const horizon = now - deps.accounting.keepReadingsDays * 86_400_000;
  let tooOld = 0;
  const fieldOf = (fieldId: string | undefined, wellId: string) => deps.fields.get(fieldId ?? deps.assets.well(wellId)?.fieldId ?? '');
  for (const event of events) {
    if (event.topic === 'scada.telemetry.validated') {
      const d = event.data;
      const field = deps.fields.get(d.fieldId ?? '');
      // A bad value is no measurement; a reading of a field not accounted for is not ours.
      if (!field || d.status === 'bad') continue;
      const meters = d.wellId ? metersOfWell(field, d.wellId) : field.fiscal;
      if (!isMeterReading(meters, d.deviceId, d.tagId)) continue;
      if (d.timestamp < horizon) {
        tooOld++;
        continue;
      }
      readings.push({
        tenantId: d.tenantId,
        fieldId: field.fieldId,
        assetId: d.wellId ?? field.fieldId,
        deviceId: d.deviceId,
        tagId: d.tagId,
        t: d.timestamp,
        value: d.value,
        eventId: event.id,
      });
    } else if (event.topic === 'production.well-status-changed') {
      const field = fieldOf(event.data.fieldId, event.data.wellId);
      if (field) statuses.push({ event, field });
    } else {
      const field = fieldOf(event.data.fieldId, event.data.wellId);
      if (field) tests.set(event.data.testId, { test: event.data, field });
    }
  }
  if (tooOld > 0) {
    ctx.metrics.counter('readings_too_old_total', 'Meter readings older than keepReadingsDays, not accounted.').inc(tooOld);
    ctx.log.warn(
      { readings: tooOld, keepReadingsDays: deps.accounting.keepReadingsDays },
      'meter readings older than the days kept were not accounted',
    );
  }
  if (readings.length + statuses.length + tests.size === 0) return;
  const firstKept = (field: FieldAccounting, day: DayBounds) => {
    const oldest = productionDayOf(horizon, contractOf(field));
    return day.start < oldest.start ? oldest : day;
  };

  await withDataErrors(() =>
    ctx.db.transaction(async (tx) => {
      const marks: DayMark[] = [];
      const mark = (field: FieldAccounting, day: DayBounds) =>
        marks.push({ tenantId: tenantOf(deps, field), fieldId: field.fieldId, day: day.day, end: day.end });

      // A reading carries the intervals on both sides of it: within an hour of a contract hour, both days change.
      for (const { fieldId, t } of await upsertReadings(tx, readings)) {
        const field = deps.fields.get(fieldId) as FieldAccounting;
        for (const at of [t - hourMs, t, t + hourMs]) mark(field, productionDayOf(at, contractOf(field)));
      }

      // The status changes go where the hours per status are read from (persist writes the same rows: once per event id).
      await insertWellStatusChanges(
        tx,
        statuses.map((s) => s.event),
      );
      const fromDays: [FieldAccounting, string][] = [];
      for (const { event, field } of statuses) {
        const first = firstKept(field, productionDayOf(event.data.since, contractOf(field)));
        const last = productionDayOf(event.data.confirmedAt, contractOf(field));
        for (let day = first; day.start <= last.start; day = productionDayOf(day.end, contractOf(field))) mark(field, day);
        fromDays.push([field, first.day]);
      }
      const stored = await recordTests(
        tx,
        [...tests.values()].map(({ test: t }) => ({
          testId: t.testId,
          tenantId: t.tenantId,
          wellId: t.wellId,
          endedAt: t.timestamp,
          rates: {
            oil: t.oilRateStbd,
            ...(t.gasRateMscfd !== undefined ? { gas: t.gasRateMscfd } : {}),
            ...(t.waterRateBbld !== undefined ? { water: t.waterRateBbld } : {}),
          },
        })),
      );
      for (const testId of stored) {
        const { test, field } = tests.get(testId) as { test: WellTestCompleted; field: FieldAccounting };
        const day = firstKept(field, productionDayOf(test.timestamp, contractOf(field)));
        mark(field, day);
        fromDays.push([field, day.day]);
      }
      await markDays(tx, marks);
      // A status or a test changes every day after it until the next one: the days already reported are redone.
      for (const [field, fromDay] of fromDays) await markReportedDaysFrom(tx, field.fieldId, fromDay);
    }),
  );
}

const tenantOf = (deps: DayProduction, field: FieldAccounting) => deps.assets.field(field.fieldId)?.tenantId ?? '';

/** Days computed per tick at most: a backlog (a week of late readings) is worked off over a few ticks. */
const daysPerTick = 20;

/**
 * The tick: closes each field's last ended day (so a day with no input at all still gets its
 * report), computes the marked days that have ended, then publishes the stored versions the
 * broker does not have yet, and marks them published once it has them.
 */
async function reportDays(ctx: TickContext, deps: DayProduction, now: number): Promise<void> {
  const closeAfterMs = deps.accounting.closeAfterMinutes * 60_000;
  for (const field of deps.accounting.fields) {
    const contract = contractOf(field);
    const ended = productionDayOf(productionDayOf(now - closeAfterMs, contract).start - 1, contract);
    if (!(await hasReport(ctx.db, field.fieldId, ended.day)))
      await markDays(ctx.db, [{ tenantId: tenantOf(deps, field), fieldId: field.fieldId, day: ended.day, end: ended.end }]);
    // A week more than the days kept: the oldest kept day still finds the reading before its start.
    const pruned = await pruneReadings(ctx.db, field.fieldId, now - (deps.accounting.keepReadingsDays + 8) * 86_400_000);
    if (pruned > 0) ctx.log.info({ fieldId: field.fieldId, pruned }, 'meter readings older than the days kept deleted');
  }

  for (const day of await dueDays(ctx.db, now, closeAfterMs, daysPerTick)) {
    const outcome = await produceDay(ctx.db, deps, day, now);
    ctx.metrics
      .counter('reports_total', 'Production days computed, by outcome: first report, revision, unchanged.', ['outcome'])
      .inc({ outcome });
    if (outcome === 'revision')
      ctx.log.info({ fieldId: day.fieldId, day: day.day }, 'production day revised: its inputs changed after it was reported');
  }

  const outbox = await unpublishedReports(ctx.db, 200);
  for (const report of outbox)
    ctx.publish('production.daily-production', report, {
      key: report.fieldId,
      cause: `daily-production:${report.fieldId}:${report.day}:v${report.version}`,
    });
  if (outbox.length > 0) ctx.onPublished(() => markPublished(ctx.db, outbox));
}
