import type { Redis } from 'ioredis';
import type { Alarm } from '#contracts';
import { ActiveAlarm } from './active-alarms.ts';
import { keys } from './keys.ts';

const RaiseFacts = ActiveAlarm.pick({ raisedAt: true, acknowledgedAt: true, acknowledgedBy: true });

/**
 * Who had acknowledged this very raise by the time notify came to announce it, if anyone.
 *
 * The alarm function writes an alarm's state before it publishes the transitions that led
 * there, and a raise resets `acknowledgedAt`. So a state naming this raise (`raisedAt` is the
 * raise's own time) with an acknowledgement is read-after-write, not a race: someone took the
 * alarm on before it was announced. That is the pad's crew during a WAN cut, whose action
 * the central alarm function applies right after the raise when the samples arrive (or an
 * operator quicker than a lagging notify). A missing or unreadable state, or one of a later
 * raise, answers nothing: then the raise is announced, as when in doubt.
 */
export async function acknowledgementOfRaise(redis: Redis, alarm: Alarm): Promise<{ at: number; by: string | undefined } | undefined> {
  if (alarm.transition !== 'raised') return undefined;
  const state = RaiseFacts.safeParse(await redis.hgetall(keys.alarmState(alarm.alarmId)));
  if (!state.success) return undefined;
  const { raisedAt, acknowledgedAt, acknowledgedBy } = state.data;
  if (raisedAt !== alarm.timestamp || acknowledgedAt === undefined) return undefined;
  return { at: acknowledgedAt, by: acknowledgedBy };
}
