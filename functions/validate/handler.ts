import { CompactedMinute, TelemetryRaw, type TelemetryValidated } from '#contracts';
import { type Context, defineBatchFunction, execOrThrow, PermanentError } from '#runtime';
import { AssetRegistry, indexAssets } from '../../config/asset-registry.ts';
import { loadConfig } from '../../config/load.ts';
import { type ClockBound, clockBoundFor, type TagRule, TagRules, tagRuleFor } from '../../config/tag-rules.ts';
import { assess, clockSkewed, historyNeeded, type PastSample, type Verdict, windowOf } from './assess.ts';
import { placeCompactedMinute } from './compacted-minutes.ts';
import { RecentHistory, RecentSamples } from './recent-samples.ts';
import { historyKey, queueHistoryWrite, readNeighbourhood, readNewest, readVersions, type TagRef } from './tag-history.ts';
import { validateSettings } from './validate-settings.ts';

/** What one sample needs beside itself: where it belongs and the rule of its tag. */
interface Placed {
  index: number;
  id: string;
  sample: TelemetryRaw;
  enrichment: Pick<TelemetryValidated, 'tenantId' | 'fieldId' | 'wellId' | 'unit'>;
  rule: TagRule | undefined;
  clock: ClockBound;
  tag: TagRef;
}

/** A tag's samples of one chunk, in order. */
interface TagGroup {
  key: string;
  tag: TagRef;
  rule: TagRule | undefined;
  samples: Placed[];
}

type Counters = ReturnType<typeof countersOf>;

/**
 * scada.telemetry.raw → scada.telemetry.validated. Every sample of a known device
 * passes, marked good, suspect or bad with the reasons; samples from unknown devices
 * are dead-lettered (they belong to no tenant); exact duplicates (same device, tag,
 * timestamp, value and quality, another event) are dropped and counted.
 *
 * A chunk at a time: a sample newer than everything its tag has seen (nearly all of them)
 * is assessed against the tag's newest samples kept in this process, checked against the
 * tag's history version in one round trip for the whole chunk, and written with the rest
 * of the chunk in one transaction. A sample that is not (late, repeated, redelivered) is
 * assessed against its history read back from Redis, as it always was.
 */
export default defineBatchFunction(
  { 'scada.telemetry.raw': TelemetryRaw, 'scada.telemetry.compacted': CompactedMinute },
  {
    setup: async (ctx) => {
      const tags = await loadConfig('tag-rules', TagRules);
      return {
        assets: indexAssets(await loadConfig('assets', AssetRegistry)),
        tags,
        ruleOf: memoised((deviceId: string, tagId: string) => {
          const rule = tagRuleFor(tags, deviceId, tagId);
          return { rule, clock: clockBoundFor(tags, rule) };
        }),
        recent: new RecentHistory(validateSettings(process.env).recentTags),
        counters: countersOf(ctx.metrics),
      };
    },
    handler: async (chunk, ctx, { assets, ruleOf, recent, counters }) => {
      const receivedAt = Date.now();
      // Compacted minutes pass through, placed: the runtime then dead-letters only the one at fault.
      for (const event of chunk) {
        if (event.topic !== 'scada.telemetry.compacted') continue;
        const { deviceId, tagId } = event.data;
        const minute = placeCompactedMinute(event.data, assets, ruleOf(deviceId, tagId), receivedAt);
        counters.minutes.inc({ status: minute.status });
        ctx.publish('scada.telemetry.compacted.validated', minute, { key: deviceId, cause: event.id });
      }
      const events = chunk.filter((e) => e.topic === 'scada.telemetry.raw');
      const verdicts: (TelemetryValidated | undefined)[] = new Array(events.length);
      const groups = new Map<string, TagGroup>();
      for (const [index, event] of events.entries()) {
        const sample = event.data;
        const placement = assets.placementOf(sample.deviceId);
        // The runtime then handles the chunk's events one by one: only this one is dead-lettered.
        if (!placement) {
          throw new PermanentError(
            `device "${sample.deviceId}" is not in the asset registry: add it to assets.yaml (or the flowline_config table)`,
          );
        }
        const { rule, clock } = ruleOf(sample.deviceId, sample.tagId);
        const tag = { asset: placement.wellId ?? placement.fieldId, tagId: sample.tagId };
        const placed: Placed = {
          index,
          id: event.id,
          sample,
          rule,
          clock,
          tag,
          enrichment: {
            ...(rule?.unit ? { unit: rule.unit } : {}),
            tenantId: placement.tenantId,
            fieldId: placement.fieldId,
            ...(placement.wellId ? { wellId: placement.wellId } : {}),
          },
        };
        // A wrong clock must not freeze the tag: such a sample never enters the tag's history
        // (which decides what is newer) nor its current value; it goes on, marked, to be quarantined.
        if (clockSkewed(sample.timestamp, receivedAt, placed.clock)) {
          counters.clockSkew.inc({ device: sample.deviceId });
          ctx.log.debug(
            { deviceId: sample.deviceId, tagId: sample.tagId, timestamp: sample.timestamp, skewMs: sample.timestamp - receivedAt },
            'clock skew: sample kept out of current values and history',
          );
          verdicts[index] = enrich(placed, { status: 'bad', flags: ['clock-skew'] }, receivedAt);
          continue;
        }
        const key = historyKey(tag.asset, tag.tagId);
        const group = groups.get(key);
        if (group) group.samples.push(placed);
        else groups.set(key, { key, tag, rule, samples: [placed] });
      }

      const late = await assessInOrder([...groups.values()], ctx, recent, verdicts, receivedAt);
      await Promise.all(late.map((rest) => assessOneByOne(rest, ctx, recent, verdicts, counters, receivedAt)));

      for (const [index, validated] of verdicts.entries()) {
        if (!validated) continue; // an exact duplicate, dropped
        counters.samples.inc({ status: validated.status });
        ctx.publish('scada.telemetry.validated', validated, { key: validated.deviceId, cause: (events[index] as { id: string }).id });
      }
    },
  },
);

/**
 * The fast path: each tag's samples that are newer than everything its history holds, against
 * the newest samples kept here (read again where another writer changed the history), written
 * in one transaction. Returns, per tag, the samples left for the slow path (from the first one
 * that is not newer), to be handled after this transaction, so they read its writes.
 */
async function assessInOrder(
  groups: TagGroup[],
  ctx: Context,
  recent: RecentHistory,
  verdicts: (TelemetryValidated | undefined)[],
  receivedAt: number,
): Promise<{ group: TagGroup; from: number }[]> {
  if (groups.length === 0) return [];
  const versions = await readVersions(
    ctx.redis,
    groups.map((g) => g.tag),
  );
  // This chunk's windows: the ones kept here that are still the history, the others read again.
  const windows = new Map<string, RecentSamples>();
  const stale: TagGroup[] = [];
  for (const [i, group] of groups.entries()) {
    const kept = recent.get(group.key);
    if (kept && versions[i] !== undefined && kept.version === versions[i]) windows.set(group.key, kept);
    else stale.push(group);
  }
  if (stale.length > 0) {
    const read = await readNewest(
      ctx.redis,
      stale.map((g) => ({ ...g.tag, count: historyNeeded(g.rule) })),
    );
    for (const [i, group] of stale.entries()) {
      const { version, samples } = read[i] as { version: number | undefined; samples: PastSample[] };
      const kept = new RecentSamples(historyNeeded(group.rule), version ?? -1);
      for (const s of samples.toReversed()) kept.push(s.t, s.v, s.q);
      windows.set(group.key, kept);
      recent.set(group.key, kept);
    }
  }

  const late: { group: TagGroup; from: number }[] = [];
  const written: { group: TagGroup; kept: RecentSamples; expected: number; reply: number }[] = [];
  const multi = ctx.redis.multi();
  let queued = 0;
  for (const group of groups) {
    const kept = windows.get(group.key) as RecentSamples;
    const batch: { member: PastSample; validated: TelemetryValidated }[] = [];
    let next = 0;
    for (; next < group.samples.length; next++) {
      const placed = group.samples[next] as Placed;
      const { sample } = placed;
      if (!(sample.timestamp > kept.newest)) break;
      const verdict = assess(sample, group.rule, kept, { receivedAt, newerExists: false });
      kept.push(sample.timestamp, sample.value, sample.quality);
      const validated = enrich(placed, verdict, receivedAt);
      verdicts[placed.index] = validated;
      batch.push({ member: memberOf(placed, verdict, receivedAt), validated });
    }
    if (next < group.samples.length) late.push({ group, from: next });
    if (batch.length === 0) continue;
    queued += queueHistoryWrite(multi, group.tag, batch, true);
    // Its last reply is its new version: anything but one more than we read means another writer was there.
    written.push({ group, kept, expected: kept.version + 1, reply: queued - 1 });
  }
  if (written.length === 0) return late;
  try {
    const replies = await execOrThrow(multi, `history and current values of ${written.length} tags`);
    for (const { group, kept, expected, reply } of written) {
      const version = Number(replies[reply]);
      // A history read without a version (written before versions existed) is read once more.
      if (version === expected && kept.version >= 0) kept.version = version;
      else recent.forget(group.key);
    }
  } catch (error) {
    for (const { group } of written) recent.forget(group.key);
    throw error;
  }
  return late;
}

/**
 * The slow path, for samples that are not the newest of their tag: a late sample, an exact
 * duplicate, or a redelivery (answered with the verdict of its first attempt: re-assessed, it
 * would see the later samples of its own chunk, which that attempt put in history, and be
 * flagged out-of-order — and alarm skips those). One tag's samples one after another.
 */
async function assessOneByOne(
  { group, from }: { group: TagGroup; from: number },
  ctx: Context,
  recent: RecentHistory,
  verdicts: (TelemetryValidated | undefined)[],
  counters: Counters,
  receivedAt: number,
): Promise<void> {
  recent.forget(group.key);
  const needed = historyNeeded(group.rule);
  for (const placed of group.samples.slice(from)) {
    const { sample } = placed;
    const around = await readNeighbourhood(ctx.redis, group.tag, sample.timestamp, needed);
    const earlier = around.same.find((s) => s.id === placed.id && s.s !== undefined);
    if (earlier?.s !== undefined) {
      verdicts[placed.index] = enrich(placed, { status: earlier.s, flags: earlier.f ?? [] }, earlier.r ?? receivedAt);
      continue;
    }
    if (around.same.some((s) => s.id !== placed.id && s.v === sample.value && s.q === sample.quality)) {
      counters.duplicates.inc();
      ctx.log.debug({ deviceId: sample.deviceId, tagId: sample.tagId, timestamp: sample.timestamp }, 'exact duplicate dropped');
      continue;
    }
    const verdict = assess(sample, group.rule, windowOf(around.before), { receivedAt, newerExists: around.newerExists });
    const validated = enrich(placed, verdict, receivedAt);
    const multi = ctx.redis.multi();
    // The current value is the newest one: a late sample goes to history, not over a fresher value.
    queueHistoryWrite(multi, group.tag, [{ member: memberOf(placed, verdict, receivedAt), validated }], !around.newerExists);
    await execOrThrow(multi, `history and current value of ${sample.deviceId}/${sample.tagId}`);
    verdicts[placed.index] = validated;
  }
}

function enrich(placed: Placed, verdict: Verdict, receivedAt: number): TelemetryValidated {
  return { ...placed.sample, ...verdict, ...placed.enrichment, receivedAt };
}

/** The member stored per sample: unique per event, with the verdict it got (a redelivery is answered from it, not re-added). */
function memberOf(placed: Placed, verdict: Verdict, receivedAt: number): PastSample {
  const { sample } = placed;
  return { t: sample.timestamp, v: sample.value, q: sample.quality, id: placed.id, s: verdict.status, f: verdict.flags, r: receivedAt };
}

function countersOf(metrics: Context['metrics']) {
  return {
    samples: metrics.counter('samples_total', 'Samples validated, by status.', ['status']),
    minutes: metrics.counter('compacted_minutes_total', 'Compacted minutes from the edge passed on, by status.', ['status']),
    duplicates: metrics.counter(
      'duplicates_dropped_total',
      'Exact duplicate samples dropped (same device, tag, timestamp, value, quality).',
    ),
    clockSkew: metrics.counter('clock_skew_total', 'Samples stamped too far from their arrival (device clock or unit wrong), by device.', [
      'device',
    ]),
  };
}

/** Tag rules are matched by pattern, most specific first: once per device and tag (with its clock bound), not once per sample. */
function memoised<T>(lookup: (deviceId: string, tagId: string) => T): (deviceId: string, tagId: string) => T {
  const known = new Map<string, T>();
  return (deviceId, tagId) => {
    const key = `${deviceId}\u0000${tagId}`;
    if (known.has(key)) return known.get(key) as T;
    const found = lookup(deviceId, tagId);
    known.set(key, found);
    return found;
  };
}
