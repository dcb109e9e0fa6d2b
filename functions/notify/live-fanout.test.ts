import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveMessage } from './live-fanout.ts';
import { alarmEvent, eventually, type NotifyBed, notifyBed } from './test-support/notify-bed.ts';

let n: NotifyBed;
let subscriber: Redis;
afterEach(async () => {
  subscriber?.disconnect();
  await n?.stop();
});

/** A second client subscribed to the rooms, as the gateway is. */
async function listen(rooms: string[]) {
  subscriber = n.redis.duplicate();
  const heard: { room: string; message: LiveMessage }[] = [];
  subscriber.on('message', (room: string, text: string) => heard.push({ room, message: JSON.parse(text) }));
  await subscriber.subscribe(...rooms);
  return heard;
}

describe('live fan-out to the gateway rooms', () => {
  it('publishes each alarm event to its well, field, tenant and critical rooms, typed by transition', async () => {
    n = await notifyBed({ channels: [], routes: [] });
    const heard = await listen([
      'live:well:norte-01',
      'live:field:campo-norte',
      'live:alarms:acme-energy',
      'live:alarms:acme-energy:critical',
      'live:well:norte-02',
    ]);
    const raised = alarmEvent();
    n.publish(raised);
    await n.bed.drained();
    await eventually(() => heard.length === 4, 'four rooms');
    expect(heard.map((h) => h.room).sort()).toEqual([
      'live:alarms:acme-energy',
      'live:alarms:acme-energy:critical',
      'live:field:campo-norte',
      'live:well:norte-01',
    ]);
    expect(heard.every((h) => h.message.type === 'alarm:new')).toBe(true);
    expect(heard[0]?.message.data).toEqual(raised);

    heard.length = 0;
    const transitions = [
      ['acknowledged', 'ACK_ACTIVE', 'alarm:ack'],
      ['cleared', 'NORMAL', 'alarm:clear'],
      ['shelved', 'SHELVED', 'alarm:update'],
      ['suppressed', 'SUPPRESSED', 'alarm:update'],
    ] as const;
    for (const [transition, state] of transitions) n.publish(alarmEvent({ transition, state, severity: 'HIGH', actor: 'ana' }));
    await n.bed.drained();
    // HIGH: no critical room; order per room follows the events (same key, same partition).
    await eventually(() => heard.length === 12, 'three rooms per transition');
    expect(heard.filter((h) => h.room === 'live:alarms:acme-energy').map((h) => h.message.type)).toEqual([
      'alarm:ack',
      'alarm:clear',
      'alarm:update',
      'alarm:update',
    ]);
    expect(heard.some((h) => h.room === 'live:alarms:acme-energy:critical')).toBe(false);
    expect(await n.metric('live_messages_total', { type: 'alarm:update' })).toBe(2);
  });

  it('skips the well and field rooms of an alarm placed on neither, and goes live once per event id', async () => {
    n = await notifyBed({ channels: [], routes: [] });
    const heard = await listen(['live:alarms:acme-energy', 'live:field:campo-norte']);
    const { fieldId: _f, wellId: _w, ...unplaced } = alarmEvent({ severity: 'LOW', deviceId: 'sep-1', alarmId: 'sep-1.level.H' });
    n.publish(unplaced, 'evt-1');
    n.publish(unplaced, 'evt-1'); // redelivered
    await n.bed.drained();
    await eventually(() => heard.length >= 1, 'the tenant room');
    expect(heard.map((h) => h.room)).toEqual(['live:alarms:acme-energy']);
    expect(await n.metric('live_messages_total')).toBe(1);
  });
});
