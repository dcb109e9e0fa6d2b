import { createHash } from 'node:crypto';
import type { Alarm, AlarmCondition, TelemetryValidated } from '#contracts';
import { type Context, execOrThrow, type FlowlineEvent } from '#runtime';
import type { AlarmRule } from '../../config/alarm-rules.ts';
import { type AlarmPoint, alarmIdOf } from './alarm-point.ts';
import {
  loadTagPoints,
  readEmitted,
  readTags,
  rewriteIndexes,
  withTagLocks,
  writeEmitted,
  writePoints,
  writeTagState,
} from './alarm-store.ts';
import { type Announcer, placementOf, type SampleDeps } from './announce.ts';
import { conditionsOf, type LimitCondition, limitHolds, ratePerMinute } from './conditions.ts';
import {
  clearDeferred,
  type DeferredAction,
  deferredSetKey,
  readDeferred,
  readSettled,
  type SettledAction,
  writeSettled,
} from './deferred-actions.ts';
import { evaluate } from './evaluate.ts';
import { settleWaiting } from './operator-action.ts';

type SampleEvent = FlowlineEvent<'scada.telemetry.validated', TelemetryValidated>;

interface TagWork {
  deviceId: string;
  tagId: string;
  rule: AlarmRule;
  conditions: AlarmCondition[];
  mark: string;
  events: SampleEvent[];
}

/**
 * The samples of one chunk through their tags' alarms, with one lock, a few round trips and
 * one transaction for the whole chunk. For each tag: read its last sample and quiet mark; a
 * tag at rest (under the same rule) whose samples meet no condition only moves its last
 * sample, the rest read their points and are evaluated sample by sample, as one at a time
 * would. A sample not newer than the tag's last is a redelivery or too late: it republishes
 * what it announced the first time, if anything. Operators' actions waiting for a moment of
 * the tag (see actionTiming) are settled right after the sample that reaches it. Publishes,
 * in the chunk's order, what each event announced, under ids derived from that event.
 */
export async function alarmSamples(events: readonly SampleEvent[], ctx: Context, deps: SampleDeps, announcer: Announcer): Promise<void> {
  const byTag = new Map<string, TagWork>();
  for (const event of events) {
    const sample = event.data;
    const rule = deps.ruleOf(sample.deviceId, sample.tagId);
    // Bad values are not measurements; out-of-order ones were already overtaken by newer ones.
    if (!rule || sample.status === 'bad' || sample.flags.includes('out-of-order')) continue;
    const key = `${sample.deviceId}|${sample.tagId}`;
    const work = byTag.get(key);
    if (work) work.events.push(event);
    else {
      const conditions = conditionsOf(rule).map((c) => c.condition);
      byTag.set(key, { deviceId: sample.deviceId, tagId: sample.tagId, rule, conditions, mark: quietMark(rule), events: [event] });
    }
  }
  const tags = [...byTag.values()];
  if (tags.length === 0) return;

  await withTagLocks(ctx.redis, tags, async () => {
    const [known, waitingIds] = await Promise.all([readTags(ctx.redis, tags), ctx.redis.smembers(deferredSetKey)]);
    const waiting = new Set(waitingIds);
    const waitingOn = (work: TagWork) => work.conditions.some((c) => waiting.has(alarmIdOf(work.deviceId, work.tagId, c)));
    // What needs reading next: points of tags not at rest or meeting a condition; first announcements of late events.
    const evaluated: { work: TagWork; last: { value: number; timestamp: number } | undefined; tracked: boolean }[] = [];
    const resting: { work: TagWork; last: { value: number; timestamp: number }; tracked: boolean }[] = [];
    const late: SampleEvent[] = [];
    const now = Date.now();
    for (const [i, work] of tags.entries()) {
      const { last: stored, quiet } = known[i] ?? { last: undefined, quiet: undefined };
      let last = stored;
      // A tag with operators' actions waiting on it is evaluated, so its samples can settle them.
      let meets = quiet !== work.mark || waitingOn(work);
      for (const event of work.events) {
        if (stored && event.data.timestamp <= stored.timestamp) {
          late.push(event);
          continue;
        }
        if (last && event.data.timestamp <= last.timestamp) continue; // overtaken inside the chunk: as one at a time would
        meets ||= anyConditionHolds(work.rule, event.data, last, now);
        last = { value: event.data.value, timestamp: event.data.timestamp };
      }
      if (meets) evaluated.push({ work, last: stored, tracked: stored !== undefined });
      else if (last && last !== stored) resting.push({ work, last, tracked: true });
    }
    const waitingIdsOf = (work: TagWork) =>
      work.conditions.map((c) => alarmIdOf(work.deviceId, work.tagId, c)).filter((id) => waiting.has(id));
    const [pointsByTag, firstAnnouncements, deferred] = await Promise.all([
      loadTagPoints(
        ctx.redis,
        evaluated.map(({ work }) => work),
      ),
      Promise.all(
        late.map(async (event) => ({
          event,
          alarms: await readEmitted(ctx.redis, event.id),
          settled: await readSettled(ctx.redis, event.id),
        })),
      ),
      Promise.all(evaluated.flatMap(({ work }) => waitingIdsOf(work)).map(async (id) => [id, await readDeferred(ctx.redis, id)] as const)),
    ]);
    const deferredOf = new Map<string, DeferredAction[]>(deferred);
    const settled = new Map<string, SettledAction[]>();

    const multi = ctx.redis.multi();
    // Listed as waiting, but its actions expired (a raise that never came): off the list, or its tag is evaluated for ever.
    for (const [alarmId, list] of deferredOf) if (list.length === 0) clearDeferred(multi, alarmId, [], 0);
    const announced = new Map<string, Alarm[]>();
    for (const [i, { work, last: stored, tracked }] of evaluated.entries()) {
      const points = pointsByTag[i] as Map<AlarmCondition, AlarmPoint>;
      const changed = new Map<AlarmCondition, AlarmPoint>();
      let last = stored;
      for (const event of work.events) {
        const sample = event.data;
        if (last && sample.timestamp <= last.timestamp) continue; // late: answered below, from what it announced
        const result = evaluate(
          work.rule,
          points,
          placementOf(deps, sample),
          { kind: 'sample', value: sample.value, timestamp: sample.timestamp, previous: last },
          now,
        );
        for (const point of result.changed) {
          points.set(point.condition, point);
          changed.set(point.condition, point);
        }
        const alarms = await announcer.announce(result, ctx);
        if (alarms.length > 0) {
          announced.set(event.id, alarms);
          writeEmitted(multi, event.id, alarms);
        }
        for (const condition of work.conditions) {
          const alarmId = alarmIdOf(work.deviceId, work.tagId, condition);
          const list = deferredOf.get(alarmId);
          if (!list?.length) continue;
          const outcome = settleWaiting(points.get(condition), list, sample.timestamp);
          if (outcome.done.length === 0) continue;
          for (const { action, why } of outcome.dropped)
            ctx.log.info({ alarmId, action: action.action, why }, 'a waiting operator action is dropped');
          for (const { eventId, alarm } of outcome.applied) writeEmitted(multi, eventId, [alarm]);
          clearDeferred(multi, alarmId, outcome.done, outcome.waiting.length);
          deferredOf.set(alarmId, outcome.waiting);
          if (outcome.point && outcome.applied.length > 0) {
            points.set(condition, outcome.point);
            changed.set(condition, outcome.point);
            settled.set(event.id, [...(settled.get(event.id) ?? []), ...outcome.applied]);
          }
        }
        writeSettled(multi, event.id, settled.get(event.id) ?? []);
        last = { value: sample.value, timestamp: sample.timestamp };
      }
      writePoints(multi, [...changed.values()]);
      if (last) writeTagState(multi, work.deviceId, work.tagId, last, { mark: atRest(work, points) ? work.mark : undefined, tracked });
    }
    for (const { work, last, tracked } of resting) writeTagState(multi, work.deviceId, work.tagId, last, { mark: work.mark, tracked });
    if (evaluated.length + resting.length > 0) await execOrThrow(multi, `alarm state of ${evaluated.length + resting.length} tags`);

    // A redelivery announces exactly what it announced the first time, with the alarm lists
    // rewritten in case that attempt's transaction failed part-way.
    for (const { event, alarms, settled: applied } of firstAnnouncements) {
      if (applied.length > 0) {
        await rewriteIndexes(
          ctx.redis,
          applied.map((a) => a.alarm),
        );
        settled.set(event.id, applied);
      }
      if (!alarms) continue;
      await rewriteIndexes(ctx.redis, alarms);
      announced.set(event.id, alarms);
    }
    for (const event of events) {
      const alarms = announced.get(event.id);
      if (alarms) announcer.publish(ctx, alarms, event.id);
      for (const action of settled.get(event.id) ?? []) announcer.publish(ctx, [action.alarm], action.eventId);
    }
  });
}

/**
 * Whether a sample meets any of the rule's conditions as an alarm at rest would judge it
 * (limits without deadband, the rate since the last sample, staleness): when none holds and
 * every point rests, evaluating it would change nothing.
 */
function anyConditionHolds(
  rule: AlarmRule,
  sample: TelemetryValidated,
  previous: { value: number; timestamp: number } | undefined,
  now: number,
): boolean {
  for (const { condition, threshold } of conditionsOf(rule)) {
    if (condition === 'ROC') {
      const rate = ratePerMinute(previous, sample.value, sample.timestamp);
      if (rate !== undefined && rate > threshold) return true;
    } else if (condition === 'STALE') {
      if ((now - sample.timestamp) / 1000 > threshold) return true;
    } else if (limitHolds(condition as LimitCondition, sample.value, threshold, rule.deadband, false)) return true;
  }
  return false;
}

/** Every condition of the rule has a stored point, and each rests: NORMAL, inactive, no delay running. */
function atRest(work: TagWork, points: ReadonlyMap<AlarmCondition, AlarmPoint>): boolean {
  return work.conditions.every((c) => {
    const p = points.get(c);
    return p !== undefined && p.state === 'NORMAL' && !p.active && p.pendingSince === undefined && p.clearingSince === undefined;
  });
}

const marks = new WeakMap<AlarmRule, string>();

/** Names the rule's conditions (thresholds, severities): a tag marked at rest under another rule is evaluated in full. */
function quietMark(rule: AlarmRule): string {
  let mark = marks.get(rule);
  if (!mark) {
    mark = createHash('sha256')
      .update(JSON.stringify(conditionsOf(rule)))
      .digest('base64url')
      .slice(0, 12);
    marks.set(rule, mark);
  }
  return mark;
}
