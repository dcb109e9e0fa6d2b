import type { Alarm, TelemetryValidated } from '#contracts';
import type { Context } from '#runtime';
import type { AlarmRule, AlarmRules } from '../../config/alarm-rules.ts';
import type { AssetIndex } from '../../config/asset-registry.ts';
import { toAlarmEvent } from './alarm-point.ts';
import { raisedOrdinal } from './alarm-store.ts';
import type { Evaluation, Placement } from './evaluate.ts';

export interface SampleDeps {
  rules: AlarmRules;
  assets: AssetIndex;
  /** The rule of a device's tag (rules match by pattern): once per tag, not once per sample. */
  ruleOf(deviceId: string, tagId: string): AlarmRule | undefined;
}

export interface Announcer {
  announce(result: Evaluation, ctx: Context): Promise<Alarm[]>;
  /** `causeId`: the event (or the sweep's outbox entry) whose announcement this is: the ids derive from it. */
  publish(ctx: Context, alarms: readonly Alarm[], causeId: string): void;
}

/**
 * The events for a set of transitions. Raised alarms count (once, however often the event is
 * retried) toward the tenant's flood limit; past it they are still stored and announced,
 * flagged `flood` so notify summarises instead of paging people once per alarm.
 */
export function announcer(rules: AlarmRules, metrics: Context['metrics']): Announcer {
  const flooded = metrics.counter('flood_alarms_total', 'Alarms raised while their tenant was in an alarm flood.', ['tenant']);
  const transitions = metrics.counter('transitions_total', 'Alarm transitions, by kind and severity.', ['transition', 'severity']);
  return {
    async announce(result, ctx) {
      const alarms: Alarm[] = [];
      for (const { point, transition } of result.transitions) {
        let flood = false;
        if (transition === 'raised') {
          flood = (await raisedOrdinal(ctx.redis, point, point.lastTransitionAt ?? Date.now())) > rules.flood.maxRaisedPerMinute;
          if (flood) flooded.inc({ tenant: point.tenantId });
        }
        transitions.inc({ transition, severity: point.severity });
        alarms.push(toAlarmEvent(point, transition, point.lastTransitionAt ?? Date.now(), flood ? { flood } : {}));
      }
      return alarms;
    },
    publish(ctx, alarms, causeId) {
      for (const alarm of alarms) ctx.publish('scada.alarms', alarm, { key: alarm.deviceId, cause: causeId });
    },
  };
}

export function placementOf(
  deps: Pick<SampleDeps, 'assets'>,
  s: Pick<TelemetryValidated, 'deviceId' | 'tagId' | 'tenantId' | 'fieldId' | 'wellId'>,
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
