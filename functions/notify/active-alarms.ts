import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AlarmCondition, AlarmState, Severity } from '#contracts';
import { keys } from './keys.ts';

const text = z.string().min(1);
/** Hash fields are strings; an absent optional one may also be written as "". */
const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const epochMs = z.coerce.number().int().nonnegative();
const optionalEpochMs = z.preprocess((v) => (v === '' || v === undefined ? undefined : v), epochMs.optional());

/**
 * `alarm:<alarmId>:state` as the alarm function writes it (strings, epoch ms). Notify
 * reads it to escalate; a hash that does not fit is skipped and logged, never guessed at.
 */
export const ActiveAlarm = z
  .object({
    alarmId: text,
    tenantId: text,
    fieldId: optionalText,
    wellId: optionalText,
    deviceId: text,
    tagId: text,
    condition: AlarmCondition,
    severity: Severity,
    state: AlarmState,
    message: z.string(),
    value: z.coerce.number(),
    threshold: z.coerce.number(),
    raisedAt: epochMs,
    acknowledgedAt: optionalEpochMs,
    acknowledgedBy: optionalText,
    shelvedUntil: optionalEpochMs,
    lastTransitionAt: optionalEpochMs,
  })
  .loose();
export type ActiveAlarm = z.infer<typeof ActiveAlarm>;

export interface ActiveAlarmsRead {
  alarms: ActiveAlarm[];
  /** Ids in the active set whose state hash is missing or malformed, with why. */
  unreadable: { alarmId: string; problem: string }[];
}

/** Every active alarm of a tenant with its state, in one round trip for the states. */
export async function readActiveAlarms(redis: Redis, tenantId: string): Promise<ActiveAlarmsRead> {
  const ids = await redis.zrange(keys.activeAlarms(tenantId), 0, -1);
  if (ids.length === 0) return { alarms: [], unreadable: [] };
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(keys.alarmState(id));
  const results = (await pipeline.exec()) ?? [];
  const read: ActiveAlarmsRead = { alarms: [], unreadable: [] };
  ids.forEach((alarmId, i) => {
    const [error, hash] = results[i] ?? [new Error('no reply')];
    if (error) throw error;
    if (!hash || Object.keys(hash).length === 0) {
      read.unreadable.push({ alarmId, problem: `${keys.alarmState(alarmId)} is missing` });
      return;
    }
    const parsed = ActiveAlarm.safeParse(hash);
    if (parsed.success) read.alarms.push(parsed.data);
    else read.unreadable.push({ alarmId, problem: parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') });
  });
  return read;
}
