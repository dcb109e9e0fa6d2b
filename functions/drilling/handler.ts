import { type DrillingCalculation, isMeasurement, pollsOf, TelemetryValidated } from '#contracts';
import { type Context, defineBatchFunction, execOrThrow, type FlowlineEvent } from '#runtime';
import { loadConfig } from '../../config/load.ts';
import { indexWellModels, WellModels } from '../../config/well-models.ts';
import { type DrillingRig, judgePoll, rigOf, withValues } from './judge-poll.ts';
import { type Announced, type RigTracking, readRigs, withRigLocks, writeResults, writeRig } from './rig-store.ts';
import { emptyTrack } from './well-control.ts';

type SampleEvent = FlowlineEvent<'scada.telemetry.validated', TelemetryValidated>;

interface Deps {
  rigOf(wellId: string): DrillingRig | undefined;
}

/**
 * scada.telemetry.validated → drilling.calculations (kinds well-control and torque-drag) and the
 * rig's kick_detected / losses_detected samples, which the alarm function raises and clears
 * through its ISA-18.2 lifecycle (alarm-rules: CRITICAL). A rig's tags are judged a poll at a
 * time (those stamped with one time), in order, one writer per well.
 *
 * A poll split across two chunks is judged once its pit volume and flow in are known; what
 * comes after that counts from the next poll.
 *
 * Its own function rather than a part of calc: the kick watch needs every poll in order (calc
 * throttles and may skip samples), and a safety function must not wait behind calc's backlog.
 */
export default defineBatchFunction(
  { 'scada.telemetry.validated': TelemetryValidated },
  {
    setup: async (): Promise<Deps> => {
      const models = indexWellModels(await loadConfig('well-models', WellModels));
      const rigs = new Map<string, DrillingRig | undefined>();
      return {
        rigOf(wellId) {
          if (!rigs.has(wellId)) rigs.set(wellId, rigOf(models.model(wellId)));
          return rigs.get(wellId);
        },
      };
    },
    handler: (events, ctx, deps) => watchRigs(events, ctx, deps),
  },
);

interface RigWork {
  wellId: string;
  rig: DrillingRig;
  events: SampleEvent[];
}

/**
 * The samples of a chunk through their rigs, one lock and one transaction for the chunk. A poll
 * not newer than what the rig holds is a redelivery or too late: what it announced the first
 * time is published again, under the same ids.
 */
async function watchRigs(events: readonly SampleEvent[], ctx: Context, deps: Deps): Promise<void> {
  const byWell = new Map<string, RigWork>();
  for (const event of events) {
    const { wellId, deviceId, tagId } = event.data;
    if (!wellId || !isMeasurement(event.data)) continue;
    const rig = deps.rigOf(wellId);
    if (!rig || deviceId !== rig.deviceId || !rig.watchedTags.has(tagId)) continue;
    const work = byWell.get(wellId);
    if (work) work.events.push(event);
    else byWell.set(wellId, { wellId, rig, events: [event] });
  }
  const rigs = [...byWell.values()];
  if (rigs.length === 0) return;

  const toPublish: Announced[] = [];
  await withRigLocks(
    ctx.redis,
    rigs.map((r) => r.wellId),
    async () => {
      const stored = await readRigs(
        ctx.redis,
        rigs.map((r) => r.wellId),
        ctx.log,
      );
      const multi = ctx.redis.multi();
      let writes = 0;
      for (const [i, work] of rigs.entries()) {
        const { tracking: before, announced } = stored[i] ?? { tracking: undefined, announced: [] };
        let tracking: RigTracking = before ?? freshTracking();
        const fresh: Announced[] = [];
        const results: DrillingCalculation[] = [];
        for (const poll of pollsOf(work.events)) {
          const at = poll[0].data.timestamp;
          if (tracking.clock !== undefined && (at < tracking.clock || (at === tracking.clock && tracking.judgedAtClock))) {
            for (const event of poll) toPublish.push(...announced.filter((a) => a.eventId === event.id));
            // The rest of a poll split across chunks (or a redelivery, which changes nothing): its values count from the next poll.
            if (at === tracking.clock) tracking = withValues(tracking, poll);
            continue;
          }
          const judged = judgePoll(work.rig, tracking, poll, Date.now());
          for (const skipped of judged.skipped) ctx.log.debug({ wellId: work.wellId, reason: skipped }, 'drilling calculation skipped');
          tracking = judged.tracking;
          if (judged.publications.length === 0) continue;
          // The poll's last sample completed it: the announcement is its.
          fresh.push({ eventId: (poll[poll.length - 1] as SampleEvent).id, publications: judged.publications });
          results.push(...judged.results);
        }
        if (tracking === before) continue;
        writeRig(multi, work.wellId, tracking, [...announced, ...fresh]);
        writeResults(multi, work.wellId, results);
        writes++;
        toPublish.push(...fresh);
        count(ctx, fresh);
      }
      if (writes > 0) await execOrThrow(multi, `drilling state of ${writes} wells`);
    },
  );
  for (const { eventId, publications } of toPublish)
    for (const p of publications) ctx.publish(p.topic, p.data, { key: p.key, cause: `drilling:${eventId}` });
}

const freshTracking = (): RigTracking => ({
  clock: undefined,
  judgedAtClock: false,
  tags: {},
  watch: emptyTrack(),
  lastWellControlAt: undefined,
  lastTorqueDragAt: undefined,
  frictionTrend: [],
});

function count(ctx: Context, announced: readonly Announced[]): void {
  const counter = ctx.metrics.counter('drilling_results_total', 'Drilling results and well-control samples published, by kind.', ['kind']);
  for (const { publications } of announced)
    for (const p of publications)
      counter.inc({
        kind: p.topic === 'drilling.calculations' ? (p.data as DrillingCalculation).kind : (p.data as TelemetryValidated).tagId,
      });
}
