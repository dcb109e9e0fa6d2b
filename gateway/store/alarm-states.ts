import { z } from '@hono/zod-openapi';
import type { Redis } from 'ioredis';
import { AlarmCondition, AlarmState, redisKeys, Severity } from '#contracts';

const epoch = z.coerce.number().int().optional();

/** `alarm:{alarmId}:state` (seed 001, written by the alarm function): strings, absent fields omitted. */
const StoredAlarm = z.object({
  alarmId: z.string(),
  tenantId: z.string(),
  fieldId: z.string().optional(),
  wellId: z.string().optional(),
  deviceId: z.string(),
  tagId: z.string(),
  condition: AlarmCondition,
  severity: Severity,
  state: AlarmState,
  active: z.enum(['1', '0']).transform((a) => a === '1'),
  message: z.string().default(''),
  value: z.coerce.number(),
  threshold: z.coerce.number(),
  unit: z.string().optional(),
  raisedAt: epoch,
  acknowledgedAt: epoch,
  acknowledgedBy: z.string().optional(),
  shelvedUntil: epoch,
  lastTransitionAt: epoch,
});

export const AlarmView = z
  .object({
    alarmId: z.string(),
    tenantId: z.string(),
    fieldId: z.string().optional(),
    wellId: z.string().optional(),
    deviceId: z.string(),
    tagId: z.string(),
    condition: AlarmCondition,
    severity: Severity,
    state: AlarmState,
    active: z.boolean().describe('whether the alarm condition holds right now'),
    message: z.string(),
    value: z.number(),
    threshold: z.number(),
    unit: z.string().optional(),
    raisedAt: z.number().int().optional(),
    acknowledgedAt: z.number().int().optional(),
    acknowledgedBy: z.string().optional(),
    acknowledgedComment: z.string().optional().describe('the comment of the last acknowledgement, from the alarm history'),
    shelvedUntil: z.number().int().optional(),
    lastTransitionAt: z.number().int().optional(),
  })
  .openapi('Alarm');
export type AlarmView = z.infer<typeof AlarmView>;

const { activeAlarms: activeKey, shelvedAlarms: shelvedKey, suppressedAlarms: suppressedKey, alarmState: stateKey } = redisKeys;

export async function readAlarm(redis: Redis, alarmId: string): Promise<AlarmView | undefined> {
  return viewOf(await redis.hgetall(stateKey(alarmId)));
}

/** A tenant's alarms an operator must see, worst severity first, then the most recent (the ZSET's order). */
export function readActiveAlarms(redis: Redis, tenantId: string, limit: number): Promise<AlarmView[]> {
  return readListed(redis, tenantId, activeKey(tenantId), limit, true);
}

/** A tenant's shelved alarms, those whose shelf runs out first first. */
export function readShelvedAlarms(redis: Redis, tenantId: string, limit: number): Promise<AlarmView[]> {
  return readListed(redis, tenantId, shelvedKey(tenantId), limit, false);
}

/** A tenant's suppressed alarms, the most recently suppressed first (the alarm function's `alarms:suppressed:` index). */
export function readSuppressedAlarms(redis: Redis, tenantId: string, limit: number): Promise<AlarmView[]> {
  return readListed(redis, tenantId, suppressedKey(tenantId), limit, true);
}

async function readListed(redis: Redis, tenantId: string, key: string, limit: number, newestFirst: boolean): Promise<AlarmView[]> {
  const ids = newestFirst ? await redis.zrevrange(key, 0, limit - 1) : await redis.zrange(key, 0, limit - 1);
  const hashes = await Promise.all(ids.map((id) => redis.hgetall(stateKey(id))));
  // The index and the hash are written in one transaction; a hash of another tenant here would be a bug, never shown.
  return hashes.flatMap((hash) => {
    const view = viewOf(hash);
    return view && view.tenantId === tenantId ? [view] : [];
  });
}

function viewOf(hash: Record<string, string>): AlarmView | undefined {
  if (!hash.alarmId) return undefined;
  const parsed = StoredAlarm.safeParse(hash);
  if (!parsed.success) return undefined;
  const { raisedAt, acknowledgedAt, shelvedUntil, lastTransitionAt, ...rest } = parsed.data;
  return Object.fromEntries(
    Object.entries({ ...rest, raisedAt, acknowledgedAt, shelvedUntil, lastTransitionAt }).filter(([, v]) => v !== undefined),
  ) as AlarmView;
}
