import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TelemetryValidated, topics, type WellStatusChanged } from '#contracts';
import { loadFunction } from '../../runtime/load-function.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';
import { validatedSample } from '../../tests/support/telemetry-samples.ts';

// In-process Redis (the handler's Redis logic runs as written) and the shipped example rules:
// norte-01 is an ESP well (trips confirmed after 30 s, the rest after 120 s), norte-07 drilling.
const redis = new RedisMock() as unknown as Redis;
let bed: TestBed;
let live: { channel: string; message: { type: string; data: WellStatusChanged } }[];
let subscriber: Redis;
const t0 = Date.UTC(2026, 11, 6, 8, 0, 0);
const topic = 'production.well-status-changed';

beforeEach(async () => {
  await redis.flushall();
  live = [];
  subscriber = redis.duplicate();
  subscriber.on('pmessage', (_p: string, channel: string, message: string) => live.push({ channel, message: JSON.parse(message) }));
  await subscriber.psubscribe('live:*');
  bed = await createTestBed({ functions: [await loadFunction('functions/well-status')], redis, partitions: 1, publishSchemas: topics });
});
afterEach(async () => {
  await bed.stop();
  subscriber.disconnect();
});

/** One poll of norte-01's deciding tags at `seconds` after t0. */
function poll(seconds: number, values: { ssv?: number; tripped?: number; running?: number; rate?: number } = {}): TelemetryValidated[] {
  const { ssv = 1, tripped = 0, running = 1, rate = 450 } = values;
  return (
    [
      ['ssv_open', ssv],
      ['esp_tripped', tripped],
      ['esp_running', running],
      ['oil_rate', rate],
      ['tubing_pressure', 900],
    ] as const
  ).map(([tagId, value]) => validatedSample({ timestamp: t0 + seconds * 1000, tagId, value }));
}

async function feed(...samples: TelemetryValidated[]): Promise<void> {
  for (const s of samples) bed.publish('scada.telemetry.validated', s, { key: s.deviceId });
  await bed.drained();
}

const announced = () => bed.events<WellStatusChanged>(topic).map((e) => e.data);
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('well-status', () => {
  it('announces a well’s status once it has stood for the hold, keeps it in Redis and sends it to the live rooms', async () => {
    await feed(...poll(0), ...poll(60));
    expect(announced()).toEqual([]);
    await feed(...poll(120), ...poll(180));
    expect(announced()).toEqual([
      {
        wellId: 'norte-01',
        tenantId: 'acme-energy',
        fieldId: 'campo-norte',
        status: 'producing',
        since: t0,
        confirmedAt: t0 + 120_000,
        profile: 'esp-oil',
        values: { ssv_open: 1, esp_tripped: 0, esp_running: 1, oil_rate: 450 },
      },
    ]);
    expect(await redis.hgetall('well:norte-01:state')).toEqual({
      wellId: 'norte-01',
      tenantId: 'acme-energy',
      fieldId: 'campo-norte',
      status: 'producing',
      since: String(t0),
      confirmedAt: String(t0 + 120_000),
      profile: 'esp-oil',
    });
    await settle();
    expect(live).toEqual([{ channel: 'live:well:norte-01', message: { type: 'well:status', data: announced()[0] } }]);
  });

  it('ignores a trip indication shorter than its hold, and announces a sustained one once, as down/esp-trip', async () => {
    await feed(...poll(0), ...poll(120));
    await feed(...poll(200, { tripped: 1, running: 0, rate: 0 }), ...poll(220, { tripped: 1, running: 0, rate: 0 }), ...poll(240));
    expect(announced().map((c) => c.status)).toEqual(['producing']);
    await feed(...[300, 315, 330, 345, 360].flatMap((s) => poll(s, { tripped: 1, running: 0, rate: 0 })));
    expect(announced().slice(1)).toEqual([
      expect.objectContaining({
        status: 'down',
        reason: 'esp-trip',
        previousStatus: 'producing',
        since: t0 + 300_000,
        confirmedAt: t0 + 330_000,
      }),
    ]);
    expect(await redis.hget('well:norte-01:state', 'reason')).toBe('esp-trip');
  });

  it('answers a redelivered sample with the same announcement, under the same id, and nothing new', async () => {
    await feed(...poll(0));
    const confirming = poll(120);
    const events = confirming.map((s) => bed.publish('scada.telemetry.validated', s, { key: s.deviceId }));
    await bed.drained();
    const first = bed.events<WellStatusChanged>(topic);
    expect(first).toHaveLength(1);
    for (const [i, s] of confirming.entries())
      bed.publish('scada.telemetry.validated', s, { key: s.deviceId, id: (events[i] as { id: string }).id });
    await bed.drained();
    const again = bed.events<WellStatusChanged>(topic);
    expect(again).toHaveLength(2);
    expect(again[1]?.id).toBe(first[0]?.id);
    expect(again[1]?.data).toEqual(first[0]?.data);
    expect(await redis.hget('well:norte-01:state', 'confirmedAt')).toBe(String(t0 + 120_000));
  });

  it('does not let late samples turn a well back', async () => {
    await feed(...poll(0), ...poll(120));
    await feed(...poll(300, { rate: 0 }), ...poll(500, { rate: 0 }));
    expect(announced().map((c) => `${c.status}/${c.reason ?? ''}`)).toEqual(['producing/', 'down/no-flow']);
    // A buffer of old samples flushed by the RTU after the change: all older than what the well holds.
    await feed(...poll(250), ...poll(400), ...poll(499));
    await feed(...poll(550, { rate: 0 }));
    expect(announced()).toHaveLength(2);
    expect(await redis.hget('well:norte-01:state', 'status')).toBe('down');
  });

  it('starts a well afresh when its stored state does not read, instead of failing its samples', async () => {
    await redis.set('well-status:norte-01:tracking', '{"tracking":{"tags":'); // cut short
    await feed(...poll(0), ...poll(120));
    expect(announced().map((c) => c.status)).toEqual(['producing']);
    expect(bed.deadLetters('scada.telemetry.validated')).toEqual([]);
  });

  it('judges a drilling well from its rig’s samples; skips bad samples and wells without a profile', async () => {
    const rig = (seconds: number) =>
      validatedSample({ timestamp: t0 + seconds * 1000, deviceId: 'rig-07', wellId: 'norte-07', tagId: 'rotary_speed', value: 120 });
    await feed(rig(0), rig(1));
    expect(announced()).toEqual([expect.objectContaining({ wellId: 'norte-07', status: 'drilling', profile: 'drilling', since: t0 })]);
    await feed(
      ...poll(0).map((s) => ({ ...s, status: 'bad' as const, flags: ['out-of-range' as const] })),
      ...poll(500).map((s) => ({ ...s, status: 'bad' as const, flags: ['out-of-range' as const] })),
      validatedSample({ timestamp: t0, deviceId: 'separator-01', wellId: undefined, tagId: 'oil_rate', value: 0 }),
    );
    expect(announced()).toHaveLength(1);
    expect(await redis.exists('well:norte-01:state')).toBe(0);
  });
});
