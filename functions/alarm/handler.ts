import { type Alarm, AlarmAction, TelemetryValidated } from '#contracts';
import { type Context, defineFunction, execOrThrow, type FlowlineEvent, PermanentError, type TickContext } from '#runtime';
import { AlarmRules, alarmRuleFor } from '../../config/alarm-rules.ts';
import { type AssetIndex, AssetRegistry, indexAssets } from '../../config/asset-registry.ts';
import { loadConfig } from '../../config/load.ts';
import { type AlarmPoint, toAlarmEvent } from './alarm-point.ts';
import {
  clearOutbox,
  lastSample,
  loadPoint,
  loadPoints,
  raisedOrdinal,
  readEmitted,
  readOutbox,
  rewriteIndexes,
  shelvedKey,
  trackedTagsKey,
  withTagLock,
  writeEmitted,
  writeLastSample,
  writeOutbox,
  writePoints,
} from './alarm-store.ts';
import { conditionsOf } from './conditions.ts';
import { act, type Evaluation, evaluate, type Placement } from './evaluate.ts';
import type { LifecycleInput } from './lifecycle.ts';

interface Deps {
  rules: AlarmRules;
  assets: AssetIndex;
}

/**
 * scada.telemetry.validated → scada.alarms: each tag's alarm conditions, through the
 * ISA-18.2 lifecycle. Operators' actions (scada.alarm-actions) and the periodic sweep
 * (stale values, shelves running out) go through the same state, one writer per tag.
 */
export default defineFunction(
  { 'scada.telemetry.validated': TelemetryValidated, 'scada.alarm-actions': AlarmAction },
  {
    setup: async (): Promise<Deps> => ({
      rules: await loadConfig('alarm-rules', AlarmRules),
      assets: indexAssets(await loadConfig('assets', AssetRegistry)),
    }),
    handler: async (event, ctx, deps) => {
      if (event.topic === 'scada.telemetry.validated') await onSample(event, ctx, deps);
      else await onAction(event, ctx);
    },
    tick: { everyMs: 5_000, run: (ctx, deps) => sweep(ctx, deps) },
  },
);

async function onSample(event: FlowlineEvent<'scada.telemetry.validated', TelemetryValidated>, ctx: Context, deps: Deps): Promise<void> {
  const sample = event.data;
  const rule = alarmRuleFor(deps.rules, sample.deviceId, sample.tagId);
  // Bad values are not measurements; out-of-order ones were already overtaken by newer ones.
  if (!rule || sample.status === 'bad' || sample.flags.includes('out-of-order')) return;
  await withTagLock(ctx.redis, sample.deviceId, sample.tagId, async () => {
    if (await republished(event.id, ctx)) return;
    const previous = await lastSample(ctx.redis, sample.deviceId, sample.tagId);
    if (previous && sample.timestamp <= previous.timestamp) return;
    const points = await loadPoints(
      ctx.redis,
      sample.deviceId,
      sample.tagId,
      conditionsOf(rule).map((c) => c.condition),
    );
    const placement = placementOf(deps, sample);
    const result = evaluate(
      rule,
      points,
      placement,
      { kind: 'sample', value: sample.value, timestamp: sample.timestamp, previous },
      Date.now(),
    );
    const alarms = await announce(result, ctx, deps);
    const multi = ctx.redis.multi();
    writePoints(multi, result.changed);
    writeLastSample(multi, sample.deviceId, sample.tagId, sample);
    writeEmitted(multi, event.id, alarms);
    await execOrThrow(multi, `alarm state of ${sample.deviceId}/${sample.tagId}`);
    publishAll(ctx, alarms);
  });
}

async function onAction(event: FlowlineEvent<'scada.alarm-actions', AlarmAction>, ctx: Context): Promise<void> {
  const action = event.data;
  const known = await loadPoint(ctx.redis, action.alarmId);
  if (!known) throw new PermanentError(`no alarm "${action.alarmId}" to ${action.action}`);
  if (known.tenantId !== action.tenantId)
    throw new PermanentError(`alarm "${action.alarmId}" does not belong to tenant "${action.tenantId}"`);
  await withTagLock(ctx.redis, known.deviceId, known.tagId, async () => {
    if (await republished(event.id, ctx)) return;
    const point = (await loadPoint(ctx.redis, action.alarmId)) as AlarmPoint;
    const result = act(point, { kind: action.action } as LifecycleInput, action.timestamp);
    if (!result) {
      ctx.log.info({ alarmId: action.alarmId, action: action.action, state: point.state }, 'operator action changes nothing in this state');
      return;
    }
    if (action.action === 'shelve') result.point.shelvedUntil = action.timestamp + (action.durationSeconds ?? 0) * 1000;
    if (action.action === 'acknowledge') {
      result.point.acknowledgedAt = action.timestamp;
      result.point.acknowledgedBy = action.actor;
    }
    const alarm = toAlarmEvent(result.point, result.transition, action.timestamp, {
      actor: action.actor,
      ...(action.comment ? { comment: action.comment } : {}),
    });
    const multi = ctx.redis.multi();
    writePoints(multi, [result.point]);
    writeEmitted(multi, event.id, [alarm]);
    await execOrThrow(multi, `alarm state of ${action.alarmId}`);
    publishAll(ctx, [alarm]);
  });
}

/**
 * Time-driven transitions: tags gone silent past their stale limit, shelves that ran out.
 * Each is written with its events in the outbox, published under ids derived from it, and
 * leaves the outbox once the tick's publish is acknowledged: a failed publish, a crash or
 * a lock failure in between leaves it for the next sweep, which starts with the outbox.
 */
async function sweep(ctx: TickContext, deps: Deps): Promise<void> {
  const now = Date.now();
  const published: string[] = [];
  ctx.onPublished(() => clearOutbox(ctx.redis, published));
  for (const { causeId, alarms } of await readOutbox(ctx.redis)) {
    await rewriteIndexes(ctx.redis, alarms);
    publishAll(ctx, alarms, causeId);
    published.push(causeId);
  }
  for (const member of await ctx.redis.smembers(trackedTagsKey)) {
    const [deviceId = '', tagId = ''] = member.split('|');
    const rule = alarmRuleFor(deps.rules, deviceId, tagId);
    const last = await lastSample(ctx.redis, deviceId, tagId);
    if (!rule?.stale || !last || now - last.timestamp <= rule.stale.afterSeconds * 1000) continue;
    const place = deps.assets.placementOf(deviceId);
    if (!place) continue;
    await withTagLock(ctx.redis, deviceId, tagId, async () => {
      const points = await loadPoints(ctx.redis, deviceId, tagId, ['STALE']);
      if (points.get('STALE')?.active) return;
      const placement = placementOf(deps, { deviceId, tagId, ...place });
      const result = evaluate(rule, points, placement, { kind: 'silence', lastTimestamp: last.timestamp }, now);
      const alarms = await announce(result, ctx, deps);
      const causeId = `stale:${deviceId}:${tagId}:${now}`;
      const multi = ctx.redis.multi();
      writePoints(multi, result.changed);
      writeOutbox(multi, causeId, alarms, now);
      await execOrThrow(multi, `alarm state of ${deviceId}/${tagId}`);
      publishAll(ctx, alarms, causeId);
      published.push(causeId);
    });
  }
  for (const tenant of deps.assets.registry.tenants) {
    for (const alarmId of await ctx.redis.zrangebyscore(shelvedKey(tenant.id), '-inf', now)) {
      const known = await loadPoint(ctx.redis, alarmId);
      if (!known) continue;
      await withTagLock(ctx.redis, known.deviceId, known.tagId, async () => {
        const point = await loadPoint(ctx.redis, alarmId);
        if (point?.state !== 'SHELVED' || (point.shelvedUntil ?? 0) > now) return;
        const result = act(point, { kind: 'unshelve' }, now);
        if (!result) return;
        const alarm = toAlarmEvent(result.point, result.transition, now, { actor: 'system', comment: 'shelf expired' });
        const causeId = `unshelve:${alarmId}:${now}`;
        const multi = ctx.redis.multi();
        writePoints(multi, [result.point]);
        writeOutbox(multi, causeId, [alarm], now);
        await execOrThrow(multi, `alarm state of ${alarmId}`);
        publishAll(ctx, [alarm], causeId);
        published.push(causeId);
      });
    }
  }
}

/**
 * Redelivery of an event already handled: announce exactly what it announced the first
 * time, with the alarm lists rewritten in case that attempt's MULTI failed part-way.
 */
async function republished(eventId: string, ctx: Context): Promise<boolean> {
  const earlier = await readEmitted(ctx.redis, eventId);
  if (!earlier) return false;
  await rewriteIndexes(ctx.redis, earlier);
  publishAll(ctx, earlier);
  return true;
}

/**
 * The events for a set of transitions. Raised alarms count (once, however often the
 * event is retried) toward the tenant's flood limit; past it they are still stored and announced, flagged `flood` so notify
 * summarises instead of paging people once per alarm.
 */
async function announce(result: Evaluation, ctx: Context, deps: Deps): Promise<Alarm[]> {
  const alarms: Alarm[] = [];
  for (const { point, transition } of result.transitions) {
    let flood = false;
    if (transition === 'raised') {
      flood = (await raisedOrdinal(ctx.redis, point, point.lastTransitionAt ?? Date.now())) > deps.rules.flood.maxRaisedPerMinute;
      if (flood)
        ctx.metrics
          .counter('flood_alarms_total', 'Alarms raised while their tenant was in an alarm flood.', ['tenant'])
          .inc({ tenant: point.tenantId });
    }
    ctx.metrics
      .counter('transitions_total', 'Alarm transitions, by kind and severity.', ['transition', 'severity'])
      .inc({ transition, severity: point.severity });
    alarms.push(toAlarmEvent(point, transition, point.lastTransitionAt ?? Date.now(), flood ? { flood } : {}));
  }
  return alarms;
}

/** `causeId`: what the sweep announces (an outbox entry); an event's own announcements take their ids from the event. */
function publishAll(ctx: Context, alarms: readonly Alarm[], causeId?: string): void {
  for (const alarm of alarms) ctx.publish('scada.alarms', alarm, { key: alarm.deviceId, ...(causeId ? { cause: causeId } : {}) });
}

function placementOf(
  deps: Deps,
  s: { deviceId: string; tagId: string; tenantId: string; fieldId?: string | undefined; wellId?: string | undefined },
): Placement {
  return {
    tenantId: s.tenantId,
    fieldId: s.fieldId,
    wellId: s.wellId,
    deviceId: s.deviceId,
    tagId: s.tagId,
    label: (s.wellId && deps.assets.well(s.wellId)?.name) || s.deviceId,
  };
}
