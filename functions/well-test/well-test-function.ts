import { liveChannels, TelemetryValidated, WellTestCreated, type WellTestQuantity, type WellTestStatus } from '#contracts';
import { type Context, defineBatchFunction, type FlowlineEvent, type Queryable, type TickContext } from '#runtime';
import { loadConfig } from '../../config/load.ts';
import { WellTestRules } from '../../config/well-test-rules.ts';
import { withDataErrors } from '../persist/data-errors.ts';
import { migrate } from '../persist/migrate.ts';
import { concludeTest } from './conclude-test.ts';
import { judgeStability, type Reading } from './stabilisation.ts';
import {
  insertReadings,
  insertTests,
  lockRunning,
  markCompletionsPublished,
  newestReadingAt,
  overdueTests,
  queryWellTest,
  type RunningTest,
  readingsAround,
  runningTests,
  saveJudgement,
  type TestJudgement,
  type TestReading,
  unpublishedCompletions,
} from './test-store.ts';

export interface WellTestOptions {
  /** How often the tick ends overdue tests and empties the outbox (default 2 s); tests run it by hand. */
  tickEveryMs?: number;
  /** The clock that decides when a silent test is overdue; tests set it. */
  now?: () => number;
}

interface Deps {
  rules: WellTestRules;
  /** tagId → what it measures. */
  quantityOf: Map<string, WellTestQuantity>;
}

type InputEvent =
  | FlowlineEvent<'well-testing.test-created', WellTestCreated>
  | FlowlineEvent<'scada.telemetry.validated', TelemetryValidated>;

const isRate = (q: WellTestQuantity) => q === 'oilRate' || q === 'gasRate' || q === 'waterRate';

/**
 * well-testing.test-created and scada.telemetry.validated → well-testing.test-completed: tests
 * followed while they run. The handler stores created tests and the readings of the running
 * ones, judges each test that got new readings and records the verdict; the tick ends tests
 * whose readings stopped past their maximum minutes and publishes the completions stored but
 * not yet published (an outbox, cleared once the broker has them), so a completion written but
 * never published is not lost.
 */
export function wellTestFunction(options: WellTestOptions = {}) {
  const now = options.now ?? Date.now;
  return defineBatchFunction(
    { 'well-testing.test-created': WellTestCreated, 'scada.telemetry.validated': TelemetryValidated },
    {
      setup: async (ctx): Promise<Deps> => {
        // persist applies them too; whichever starts first does, under the migrations' advisory lock.
        await migrate(ctx.db);
        const rules = await loadConfig('well-test-rules', WellTestRules, { db: ctx.db });
        return { rules, quantityOf: new Map(Object.entries(rules.tags).map(([q, tagId]) => [tagId, q as WellTestQuantity])) };
      },
      handler: (events, ctx, deps) => recordAndJudge(events, ctx, deps, now()),
      tick: { everyMs: options.tickEveryMs ?? 2_000, run: (ctx, deps) => endAndPublish(ctx, deps, now()) },
    },
  );
}

async function recordAndJudge(events: readonly InputEvent[], ctx: Context, deps: Deps, now: number): Promise<void> {
  const created: WellTestCreated[] = [];
  const samples: TelemetryValidated[] = [];
  for (const event of events) {
    if (event.topic === 'well-testing.test-created') created.push(event.data);
    // A bad value is no measurement; a tag no test reads is not ours.
    else if (event.data.status !== 'bad' && deps.quantityOf.has(event.data.tagId)) samples.push(event.data);
  }
  if (created.length === 0 && samples.length === 0) return;

  const judged = await withDataErrors(() =>
    ctx.db.transaction(async (tx) => {
      const stored = await insertTests(tx, created);
      if (stored.length > 0) ctx.log.info({ tests: stored }, 'well tests started');
      const running = samples.length > 0 ? await runningTests(tx) : [];
      const readings = readingsOf(samples, running, deps);
      const touched = await insertReadings(tx, readings);
      const judgements: { test: RunningTest; state: WellTestStatus['state'] }[] = [];
      const locked = await lockRunning(tx, [...touched.keys()]);
      for (const test of running) {
        const times = touched.get(test.testId);
        if (!times || !locked.has(test.testId)) continue;
        const state = await judge(tx, deps, test, now, times);
        if (state) judgements.push({ test, state });
      }
      return judgements;
    }),
  );
  countEnded(ctx, judged);
  await announce(
    ctx,
    judged.map((j) => j.test),
  );
}

/**
 * Which samples are a running test's readings: rates from the test's own device (the
 * separator it flows through, never the well's own rate estimate), pressures from the well's
 * devices, from the test's start on, in its tenant.
 */
function readingsOf(samples: readonly TelemetryValidated[], running: readonly RunningTest[], deps: Deps): TestReading[] {
  if (running.length === 0) return [];
  const byDevice = groupBy(running, (t) => t.deviceId);
  const byWell = groupBy(running, (t) => t.wellId);
  const readings: TestReading[] = [];
  for (const s of samples) {
    const quantity = deps.quantityOf.get(s.tagId) as WellTestQuantity;
    const tests = isRate(quantity) ? byDevice.get(s.deviceId) : s.wellId ? byWell.get(s.wellId) : undefined;
    for (const test of tests ?? [])
      if (test.tenantId === s.tenantId && s.timestamp >= test.createdAt)
        readings.push({ testId: test.testId, quantity, t: s.timestamp, value: s.value });
  }
  return readings;
}

/**
 * Judges a running test by its stored readings as it stood at each time it got new readings,
 * in order, until it ends, and last at its newest reading: the verdict is the same however the
 * readings were chunked or their partitions interleaved (a backlog completes the test at the
 * minute it steadied, not at the chunk's last; a late reading from another partition is judged
 * where it belongs, and a test still running is recorded as at its newest reading, so it never
 * steps back). `overdue` (the tick) judges once at the newest reading and ends the test either
 * way. Returns the state recorded, or undefined when the test had ended meanwhile.
 */
async function judge(db: Queryable, deps: Deps, test: RunningTest, now: number, times: readonly number[] | 'overdue') {
  const rule = deps.rules.stabilisation;
  const newest = (await newestReadingAt(db, test.testId)) ?? test.createdAt;
  const moments = times === 'overdue' ? [] : [...new Set(times)].filter((t) => t < newest).sort((a, b) => a - b);
  moments.push(newest);
  const from = moments[0] as number;
  const { readings, countBefore } = await readingsAround(db, test.testId, rule.windowMinutes, from, moments[moments.length - 1] as number);
  let verdict: TestJudgement | undefined;
  for (const moment of moments) {
    const upTo = readings.filter((r) => r.t <= moment);
    const series: Partial<Record<WellTestQuantity, Reading[]>> = {};
    for (const r of upTo) {
      if (r.t < moment - rule.windowMinutes * 60_000) continue;
      const list = series[r.quantity] ?? [];
      list.push({ t: r.t, value: r.value });
      series[r.quantity] = list;
    }
    const judgement = judgeStability(rule, { startedAt: test.createdAt, plannedMinutes: test.plannedMinutes }, series);
    verdict = concludeTest(test, judgement, countBefore + upTo.length, now, times === 'overdue');
    if (verdict.state !== 'running') break;
  }
  return verdict && (await saveJudgement(db, verdict)) ? verdict.state : undefined;
}

/** The tick: ends the tests overdue by the clock (their readings stopped), then publishes the completions the broker does not have. */
async function endAndPublish(ctx: TickContext, deps: Deps, now: number): Promise<void> {
  const ended: { test: RunningTest; state: WellTestStatus['state'] }[] = [];
  for (const test of await overdueTests(ctx.db, now)) {
    const state = await ctx.db.transaction(async (tx) =>
      (await lockRunning(tx, [test.testId])).has(test.testId) ? judge(tx, deps, test, now, 'overdue') : undefined,
    );
    if (state) ended.push({ test, state });
  }
  countEnded(ctx, ended);
  await announce(
    ctx,
    ended.map((e) => e.test),
  );

  const outbox = await unpublishedCompletions(ctx.db, 200);
  for (const completion of outbox)
    ctx.publish('well-testing.test-completed', completion, { key: completion.wellId, cause: `well-test:${completion.testId}:completed` });
  if (outbox.length > 0)
    ctx.onPublished(() =>
      markCompletionsPublished(
        ctx.db,
        outbox.map((c) => c.testId),
      ),
    );
}

/**
 * Each judged test as it now stands, to its well's live room (`well-test:update`). Live views
 * are best effort: a missed message is made good by the next judgement or a reload.
 */
async function announce(ctx: Context, tests: readonly RunningTest[]): Promise<void> {
  for (const test of tests) {
    const status = await queryWellTest(ctx.db, { tenantId: test.tenantId, testId: test.testId });
    if (status) await ctx.redis.publish(liveChannels.well(test.wellId), JSON.stringify({ type: 'well-test:update', data: status }));
  }
}

function countEnded(ctx: Context, judged: readonly { state: WellTestStatus['state'] }[]): void {
  const counter = ctx.metrics.counter('tests_ended_total', 'Well tests ended, by outcome: completed or inconclusive.', ['state']);
  for (const { state } of judged) if (state !== 'running') counter.inc({ state });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list) list.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
