import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AlarmAction } from '../contracts/alarm.ts';
import type { JournalEvent } from '../edge-adapter/store-and-forward/sample-journal.ts';
import { createEvent, encodeEvent } from '../runtime/envelope.ts';
import { MemoryBus } from '../runtime/hosts/memory/bus.ts';
import { startUplink } from './uplink.ts';

const action: AlarmAction = {
  timestamp: 1_700_000_000_500,
  alarmId: 'rtu-w01.tubing_pressure.H',
  tenantId: 'acme-energy',
  action: 'acknowledge',
  actor: 'crew',
  comment: 'checked at the pad',
  raisedAt: 1_700_000_000_000,
};

describe('uplink: what the pad decides, into the edge buffer', () => {
  it('forwards alarm actions with their event id, key and time; leaves out what fails its schema or is not an event', async () => {
    const bus = new MemoryBus({ partitions: 1 });
    const forwarded: JournalEvent[] = [];
    const uplink = startUplink({ bus, forward: (e) => forwarded.push(e), log: pino({ level: 'silent' }) });
    const good = createEvent({ source: 'test', type: 'scada.alarm-actions', data: action, time: new Date(action.timestamp) });
    const bad = createEvent({ source: 'test', type: 'scada.alarm-actions', data: { ...action, actor: '' } });
    bus.publish([
      { topic: 'scada.alarm-actions', key: 'rtu-w01', value: encodeEvent(good).toString('utf8') },
      { topic: 'scada.alarm-actions', key: 'rtu-w01', value: encodeEvent(bad).toString('utf8') },
      { topic: 'scada.alarm-actions', key: 'rtu-w01', value: 'not json' },
      { topic: 'scada.alarms', key: 'rtu-w01', value: encodeEvent(good).toString('utf8') },
    ]);
    await bus.drained();
    await uplink.stop();
    expect(forwarded).toEqual([{ topic: 'scada.alarm-actions', key: 'rtu-w01', id: good.id, time: action.timestamp, data: action }]);
  });
});
