import type { Redis } from 'ioredis';
import type { Alarm, AlarmTransition } from '#contracts';
import { execOrThrow } from '#runtime';
import { liveRooms } from './keys.ts';

/** Seed 001's server → client alarm events. */
export type LiveEventType = 'alarm:new' | 'alarm:ack' | 'alarm:clear' | 'alarm:update';

/** What the gateway relays to the browsers in a room. */
export interface LiveMessage {
  type: LiveEventType;
  data: Alarm;
}

const typeOf: Record<AlarmTransition, LiveEventType> = {
  raised: 'alarm:new',
  acknowledged: 'alarm:ack',
  cleared: 'alarm:clear',
  shelved: 'alarm:update',
  unshelved: 'alarm:update',
  suppressed: 'alarm:update',
  unsuppressed: 'alarm:update',
};

export function liveMessageOf(alarm: Alarm): LiveMessage {
  return { type: typeOf[alarm.transition], data: alarm };
}

/**
 * Publishes an alarm event to every room it belongs to (well, field, tenant, and the
 * tenant's critical room), in one round trip. Flood or not, every event goes live:
 * the operator's alarm list must be complete; only people are spared the flood.
 */
export async function publishLive(redis: Redis, alarm: Alarm): Promise<{ type: LiveEventType; rooms: string[] }> {
  const message = liveMessageOf(alarm);
  const body = JSON.stringify(message);
  const rooms = liveRooms(alarm);
  const pipeline = redis.pipeline();
  for (const room of rooms) pipeline.publish(room, body);
  await execOrThrow(pipeline, `publishing ${message.type} to the live rooms`);
  return { type: message.type, rooms };
}
