import { AlarmAction, TelemetryValidated } from '#contracts';
import { type Context, defineBatchFunction, execOrThrow, type FlowlineEvent, PermanentError, type TickContext } from '#runtime';
import { type AlarmRule, AlarmRules, alarmRuleFor } from '../../config/alarm-rules.ts';
import { AssetRegistry, indexAssets } from '../../config/asset-registry.ts';
import { loadConfig } from '../../config/load.ts';
import { type AlarmPoint, toAlarmEvent } from './alarm-point.ts';
import {
  clearOutbox,
  lastSample,
  loadPoint,
  loadPoints,
  readEmitted,
  readOutbox,
  rewriteIndexes,
  shelvedKey,
  trackedTagsKey,
  withTagLock,
  writeEmitted,
  writeOutbox,
  writePoints,
} from './alarm-store.ts';
import { type Announcer, announcer, placementOf, type SampleDeps } from './announce.ts';
import { deferAction } from './deferred-actions.ts';
import { act, evaluate } from './evaluate.ts';
import { actionTiming, applyOperatorAction } from './operator-action.ts';
import { alarmSamples } from './sample-batch.ts';

interface Deps extends SampleDeps {
  announcer: Announcer;
}

/**
 * scada.telemetry.validated → scada.alarms: each tag's alarm conditions, through the
 * ISA-18.2 lifecycle. Operators' actions (scada.alarm-actions) and the periodic sweep
 * (stale values, shelves running out) go through the same state, one writer per tag.
 * Samples a chunk at a time (see sample-batch.ts); actions one at a time, in order.
 */
export default defineBatchFunction(
  { 'scada.telemetry.validated': TelemetryValidated, 'scada.alarm-actions': AlarmAction },
  {
    setup: async (ctx): Promise<Deps> => {
      const rules = await loadConfig('alarm-rules', AlarmRules);
      const known = new Map<string, AlarmRule | undefined>();
      return {
        rules,
        assets: indexAssets(await loadConfig('assets', AssetRegistry)),
        ruleOf(deviceId, tagId) {
          const key = `${deviceId}\u0000${tagId}`;
          if (!known.has(key)) known.set(key, alarmRuleFor(rules, deviceId, tagId));
          return known.get(key);
        },
        announcer: announcer(rules, ctx.metrics),
      };
    },
    handler: async (events, ctx, deps) => {
      const samples: FlowlineEvent<'scada.telemetry.validated', TelemetryValidated>[] = [];
      const actions: FlowlineEvent<'scada.alarm-actions', AlarmAction>[] = [];
      for (const event of events) {
        if (event.topic === 'scada.telemetry.validated') samples.push(event);
        else actions.push(event);
      }
      await alarmSamples(samples, ctx, deps, deps.announcer);
      for (const action of actions) await onAction(action, ctx, deps);
    },
    tick: { everyMs: 5_000, run: (ctx, deps) => sweep(ctx, deps) },
  },
);

async function onAction(event: FlowlineEvent<'scada.alarm-actions', AlarmAction>, ctx: Context, deps: Deps): Promise<void> {
  const action = event.data;
  const known = await loadPoint(ctx.redis, action.alarmId);
  if (known && known.tenantId !== action.tenantId)
    throw new PermanentError(`alarm "${action.alarmId}" does not belong to tenant "${action.tenantId}"`);
  if (!known) {
    if (actionTiming(known, action) === 'wait') return waitForRaise(event, ctx);
    throw new PermanentError(`no alarm "${action.alarmId}" to ${action.action}`);
  }
  await withTagLock(ctx.redis, known.deviceId, known.tagId, async () => {
    if (await republished(event.id, ctx, deps)) return;
    const point = (await loadPoint(ctx.redis, action.alarmId)) as AlarmPoint;
    let timing = actionTiming(point, action);
    if (timing === 'wait') timing = actionTiming(point, action, (await lastSample(ctx.redis, point.deviceId, point.tagId))?.timestamp);
    if (timing === 'wait') return waitForRaise(event, ctx);
    if (timing === 'obsolete') {
      ctx.log.info(
        { alarmId: action.alarmId, action: action.action, raisedAt: point.raisedAt },
        'operator action on a raise since superseded',
      );
      return;
    }
    const result = applyOperatorAction(point, action);
    if (!result) {
      ctx.log.info({ alarmId: action.alarmId, action: action.action, state: point.state }, 'operator action changes nothing in this state');
      return;
    }
    const multi = ctx.redis.multi();
    writePoints(multi, [result.point]);
    writeEmitted(multi, event.id, [result.alarm]);
    await execOrThrow(multi, `alarm state of ${action.alarmId}`);
    deps.announcer.publish(ctx, [result.alarm], event.id);
  });
}

/** Kept until the tag's samples reach the raise the action names (sample-batch.ts applies it there). */
async function waitForRaise(event: FlowlineEvent<'scada.alarm-actions', AlarmAction>, ctx: Context): Promise<void> {
  await deferAction(ctx.redis, event.id, event.data);
  ctx.log.info(
    { alarmId: event.data.alarmId, action: event.data.action, raisedAt: event.data.raisedAt },
    'operator action on a raise not seen here yet: it waits for that raise',
  );
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
    deps.announcer.publish(ctx, alarms, causeId);
    published.push(causeId);
  }
  for (const member of await ctx.redis.smembers(trackedTagsKey)) {
    const [deviceId = '', tagId = ''] = member.split('|');
    const rule = deps.ruleOf(deviceId, tagId);
    const last = await lastSample(ctx.redis, deviceId, tagId);
    if (!rule?.stale || !last || now - last.timestamp <= rule.stale.afterSeconds * 1000) continue;
    const place = deps.assets.placementOf(deviceId);
    if (!place) continue;
    await withTagLock(ctx.redis, deviceId, tagId, async () => {
      const points = await loadPoints(ctx.redis, deviceId, tagId, ['STALE']);
      if (points.get('STALE')?.active) return;
      const placement = placementOf(deps, { deviceId, tagId, ...place });
      const result = evaluate(rule, points, placement, { kind: 'silence', lastTimestamp: last.timestamp }, now);
      const alarms = await deps.announcer.announce(result, ctx);
      const causeId = `stale:${deviceId}:${tagId}:${now}`;
      const multi = ctx.redis.multi();
      writePoints(multi, result.changed);
      writeOutbox(multi, causeId, alarms, now);
      await execOrThrow(multi, `alarm state of ${deviceId}/${tagId}`);
      deps.announcer.publish(ctx, alarms, causeId);
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
        deps.announcer.publish(ctx, [alarm], causeId);
        published.push(causeId);
      });
    }
  }
}

/**
 * Redelivery of an event already handled: announce exactly what it announced the first
 * time, with the alarm lists rewritten in case that attempt's MULTI failed part-way.
 */
async function republished(eventId: string, ctx: Context, deps: Deps): Promise<boolean> {
  const earlier = await readEmitted(ctx.redis, eventId);
  if (!earlier) return false;
  await rewriteIndexes(ctx.redis, earlier);
  deps.announcer.publish(ctx, earlier, eventId);
  return true;
}
