import { isMeasurement, pollsOf, TelemetryValidated, type WellStatusChanged } from '#contracts';
import { type Context, defineBatchFunction, execOrThrow, type FlowlineEvent } from '#runtime';
import { AssetRegistry, indexAssets } from '../../config/asset-registry.ts';
import { loadConfig } from '../../config/load.ts';
import { profileFor, type StatusProfile, WellStatusRules } from '../../config/well-status-rules.ts';
import { type Change, emptyTracking, observe, type Tracking } from './status-machine.ts';
import { type Announced, readWells, withWellLocks, writeChange, writeWell } from './well-store.ts';

type SampleEvent = FlowlineEvent<'scada.telemetry.validated', TelemetryValidated>;

interface Deps {
  profileOf(wellId: string): StatusProfile | undefined;
}

/**
 * scada.telemetry.validated → production.well-status-changed: each well's status (producing,
 * shut in, down with its reason, testing, drilling) from its deciding tags, with hysteresis.
 *
 * Its own function rather than a part of alarm or calc: the status is per well across
 * several tags, while alarm's state is per tag (its lifecycle, its locks) and calc is a
 * throttled per-event calculation that may skip samples, which would let a status flicker
 * through or a change be missed. Its own consumer group also means a status backlog never
 * delays alarms, and the other way round.
 */
export default defineBatchFunction(
  { 'scada.telemetry.validated': TelemetryValidated },
  {
    setup: async (): Promise<Deps> => {
      const rules = await loadConfig('well-status-rules', WellStatusRules);
      const assets = indexAssets(await loadConfig('assets', AssetRegistry));
      const profiles = new Map<string, StatusProfile | undefined>();
      return {
        profileOf(wellId) {
          if (!profiles.has(wellId)) {
            const well = assets.well(wellId);
            profiles.set(wellId, well ? profileFor(rules, well) : undefined);
          }
          return profiles.get(wellId);
        },
      };
    },
    handler: (events, ctx, deps) => judgeWells(events, ctx, deps),
  },
);

interface WellWork {
  wellId: string;
  profile: StatusProfile;
  events: SampleEvent[];
}

/**
 * The samples of a chunk through their wells' status, one lock and one transaction for the
 * chunk. A sample that changes nothing because it is not newer than what the well holds is a
 * redelivery or too late: if handling it the first time announced a change, that change is
 * published again, under the same id.
 */
async function judgeWells(events: readonly SampleEvent[], ctx: Context, deps: Deps): Promise<void> {
  const byWell = new Map<string, WellWork>();
  for (const event of events) {
    const { wellId } = event.data;
    if (!wellId || !isMeasurement(event.data)) continue;
    const profile = deps.profileOf(wellId);
    if (!profile) continue;
    const work = byWell.get(wellId);
    if (work) work.events.push(event);
    else byWell.set(wellId, { wellId, profile, events: [event] });
  }
  const wells = [...byWell.values()];
  if (wells.length === 0) return;

  const toPublish: Announced[] = [];
  await withWellLocks(
    ctx.redis,
    wells.map((w) => w.wellId),
    async () => {
      const stored = await readWells(
        ctx.redis,
        wells.map((w) => w.wellId),
        ctx.log,
      );
      const multi = ctx.redis.multi();
      let writes = 0;
      for (const [i, work] of wells.entries()) {
        const { tracking: before, announced } = stored[i] ?? { tracking: undefined, announced: [] };
        let tracking: Tracking = before ?? emptyTracking();
        const fresh: Announced[] = [];
        for (const poll of pollsOf(work.events)) {
          const seen = observe(work.profile, tracking, {
            timestamp: poll[0].data.timestamp,
            values: poll.map((e) => ({ tagId: e.data.tagId, value: e.data.value })),
          });
          if ('ignored' in seen) {
            for (const event of poll) toPublish.push(...announced.filter((a) => a.eventId === event.id));
            continue;
          }
          tracking = seen.tracking;
          if (seen.change) {
            // The poll's last sample is the one that completed the verdict: the announcement is its.
            const cause = poll[poll.length - 1] as SampleEvent;
            const change = changeEvent(work, cause.data, seen.change);
            fresh.push({ eventId: cause.id, change });
            writeChange(multi, change);
          }
        }
        if (tracking === before) continue;
        writeWell(multi, work.wellId, tracking, [...announced, ...fresh]);
        writes++;
        toPublish.push(...fresh);
        countChanges(ctx, fresh);
      }
      if (writes > 0) await execOrThrow(multi, `well status of ${writes} wells`);
    },
  );
  for (const { eventId, change } of toPublish)
    ctx.publish('production.well-status-changed', change, { key: change.wellId, cause: `well-status:${eventId}` });
}

function changeEvent(work: WellWork, sample: TelemetryValidated, change: Change): WellStatusChanged {
  return {
    wellId: work.wellId,
    tenantId: sample.tenantId,
    ...(sample.fieldId ? { fieldId: sample.fieldId } : {}),
    status: change.status,
    ...(change.reason ? { reason: change.reason } : {}),
    ...(change.previous ? { previousStatus: change.previous.status } : {}),
    ...(change.previous?.reason ? { previousReason: change.previous.reason } : {}),
    since: change.since,
    confirmedAt: change.confirmedAt,
    profile: work.profile.id,
    values: change.values,
  };
}

function countChanges(ctx: Context, announced: readonly Announced[]): void {
  if (announced.length === 0) return;
  const counter = ctx.metrics.counter('status_changes_total', 'Well status changes announced, by the status entered.', ['status']);
  for (const { change } of announced) counter.inc({ status: change.status });
}
