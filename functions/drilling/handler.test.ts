import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Alarm, type DrillingCalculation, type TelemetryValidated, topics } from '#contracts';
import { loadFunction } from '../../runtime/load-function.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';
import { validatedSample } from '../../tests/support/telemetry-samples.ts';

// In-process Redis (the handlers' Redis logic runs as written), the drilling function beside the
// real alarm function, and the shipped example configuration: norte-07 drilled by rig-07, its
// wellControl and torqueDrag in well-models, kick_detected / losses_detected CRITICAL in alarm-rules.
const redis = new RedisMock() as unknown as Redis;
let bed: TestBed;
let live: { channel: string; message: { type: string; data: Record<string, unknown> } }[];
let subscriber: Redis;
const t0 = Date.UTC(2026, 11, 6, 8, 0, 0);

beforeEach(async () => {
  await redis.flushall();
  live = [];
  subscriber = redis.duplicate();
  subscriber.on('pmessage', (_p: string, channel: string, message: string) => live.push({ channel, message: JSON.parse(message) }));
  await subscriber.psubscribe('live:*');
  bed = await createTestBed({
    functions: [await loadFunction('functions/drilling'), await loadFunction('functions/alarm')],
    redis,
    partitions: 1,
    publishSchemas: topics,
  });
});
afterEach(async () => {
  await bed.stop();
  subscriber.disconnect();
});

interface RigPoll {
  pit?: number;
  flowIn?: number;
  flowOut?: number;
  bit?: number;
  hole?: number;
  hook?: number;
  rpm?: number;
  torque?: number;
}

/** One poll of rig-07 at `seconds` after t0: drilling at 8,000 ft, 600 gpm in balance unless told. */
function rigPoll(seconds: number, p: RigPoll = {}): TelemetryValidated[] {
  const values: [string, number][] = [
    ['mud_pit_volume', p.pit ?? 500],
    ['mud_flow_in', p.flowIn ?? 600],
    ['mud_flow_out', p.flowOut ?? p.flowIn ?? 600],
    ['bit_depth', p.bit ?? 8_000],
    ['hole_depth', p.hole ?? 8_000],
    ['hook_load', p.hook ?? 230],
    ['rotary_speed', p.rpm ?? 120],
    ['surface_torque', p.torque ?? 9],
  ];
  return values.map(([tagId, value]) =>
    validatedSample({
      timestamp: t0 + seconds * 1000,
      deviceId: 'rig-07',
      wellId: 'norte-07',
      sourceProtocol: 'OPCUA',
      tagId,
      value,
      unit: undefined,
    }),
  );
}

async function feed(samples: TelemetryValidated[]): Promise<void> {
  for (const s of samples) bed.publish('scada.telemetry.validated', s, { key: s.deviceId });
  await bed.drained();
}

const alarms = () => bed.events<Alarm>('scada.alarms').map((e) => e.data);
const calculations = <K extends DrillingCalculation['kind']>(kind: K) =>
  bed
    .events<DrillingCalculation>('drilling.calculations')
    .map((e) => e.data)
    .filter((c): c is Extract<DrillingCalculation, { kind: K }> => c.kind === kind);
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
const every10s = (fromS: number, toS: number) => Array.from({ length: (toS - fromS) / 10 + 1 }, (_, i) => fromS + i * 10);

describe('drilling', () => {
  it('a kick while drilling is raised as a CRITICAL alarm by the alarm function, and cleared when the well is back in balance', async () => {
    // In balance for 100 s, then the formation adds 100 gpm: flow out 700, the pits gaining 2.38 bbl/min.
    const gain = (t: number) => (Math.max(0, Math.min(t, 400) - 100) / 60) * (100 / 42);
    for (const t of every10s(0, 130)) await feed(rigPoll(t, { flowOut: t > 100 ? 700 : 600, pit: 500 + gain(t) }));
    expect(alarms()).toEqual([]);
    // 30 s of excess flow confirm it: at 140 s, or 150 s when the bus split a poll and its flow out counted from the next.
    for (const t of [140, 150]) await feed(rigPoll(t, { flowOut: 700, pit: 500 + gain(t) }));
    expect(alarms()).toEqual([
      expect.objectContaining({
        alarmId: 'rig-07.kick_detected.HH',
        deviceId: 'rig-07',
        tagId: 'kick_detected',
        wellId: 'norte-07',
        severity: 'CRITICAL',
        transition: 'raised',
        state: 'UNACK_ACTIVE',
        value: 1,
      }),
    ]);
    const raisedWith = calculations('well-control').at(-1);
    expect(raisedWith).toMatchObject({ kick: true, losses: false, activity: 'drilling', flowDeltaGpm: 100 });
    expect(raisedWith?.reasons[0]).toMatch(/^flow out 100 gpm above the expected 600 gpm/);

    // Balance again at the gained level: the gain leaves the 300 s window and the kick clears.
    for (const t of every10s(160, 800)) await feed(rigPoll(t, { flowOut: t <= 400 ? 700 : 600, pit: 500 + gain(t) }));
    expect(alarms().map((a) => `${a.tagId} ${a.transition} ${a.state}`)).toEqual([
      'kick_detected raised UNACK_ACTIVE',
      'kick_detected cleared RTN_UNACK',
    ]);
    expect(calculations('well-control').at(-1)).toMatchObject({ kick: false, losses: false });
    expect(alarms().some((a) => a.tagId === 'losses_detected')).toBe(false);
  });

  it("a connection's flow-back raises nothing", async () => {
    // Drilling, then pumps off for 3 minutes in the slips: 6 bbl drain back over a minute, then pumps on and the pits give it back.
    for (const t of every10s(0, 600)) {
      const off = t >= 100 && t < 280;
      const drained = off ? Math.min(t - 100, 60) / 60 : t >= 280 ? 1 - Math.min(t - 280, 60) / 60 : 0;
      await feed(
        rigPoll(t, {
          flowIn: off ? 0 : 600,
          flowOut: off ? 600 * (1 - drained) : 600,
          pit: 500 + 6 * drained,
          hook: off && t >= 120 ? 80 : 230,
          rpm: off ? 0 : 120,
        }),
      );
    }
    expect(alarms()).toEqual([]);
    expect(new Set(calculations('well-control').map((c) => c.activity))).toEqual(new Set(['drilling', 'pumps-off', 'in-slips']));
  });

  it('torque and drag on drilling.calculations, in Redis and live; pulling out of hole gives a friction factor', async () => {
    // Tripping out from 8,000 ft at 60 ft/min, pumps off, the hook reading 10 klbf over the model's pick-up at μ = 0.25.
    await feed(rigPoll(0, { flowIn: 0, flowOut: 0, rpm: 0, torque: 0, hook: 230 }));
    const first = calculations('torque-drag')[0];
    expect(first).toMatchObject({ wellId: 'norte-07', bitDepthFt: 8_000, mudWeightPpg: 10, frictionFactor: 0.25, buoyancyFactor: 0.8473 });
    const pickUp = first?.hookLoadTrippingOutKlbf as number;
    for (const t of every10s(10, 60))
      await feed(rigPoll(t, { flowIn: 0, flowOut: 0, rpm: 0, torque: 0, bit: 8_000 - t, hook: pickUp + 10 }));
    const latest = calculations('torque-drag').at(-1);
    expect(latest?.activity).toBe('tripping-out');
    expect(latest?.measured?.mode).toBe('tripping-out');
    expect(latest?.measured?.backCalculatedFrictionFactor).toBeGreaterThan(0.25);
    // One point a poll while tripping (the first poll may have been judged before its bit depth came).
    expect(latest?.frictionTrend.length).toBeGreaterThanOrEqual(5);
    expect(latest?.frictionTrend.every((p) => p.mode === 'tripping-out' && p.frictionFactor > 0.25)).toBe(true);

    expect(JSON.parse((await redis.hget('drilling:norte-07:state', 'torqueDrag')) as string)).toEqual(latest);
    await settle();
    const updates = live.filter((l) => l.channel === 'live:well:norte-07' && l.message.type === 'drilling:update');
    expect(updates.at(-1)?.message.data).toMatchObject({ wellId: 'norte-07', torqueDrag: latest });
  });

  it('a redelivered poll publishes what it published the first time, under the same ids', async () => {
    const poll = rigPoll(0);
    const sent = poll.map((s) => bed.publish('scada.telemetry.validated', s, { key: s.deviceId }));
    await bed.drained();
    const before = bed.events('drilling.calculations').map((e) => e.id);
    expect(before.length).toBe(2); // well-control and torque-drag
    for (const [i, s] of poll.entries()) bed.publish('scada.telemetry.validated', s, { key: s.deviceId, id: sent[i]?.id as string });
    await bed.drained();
    const after = bed.events('drilling.calculations').map((e) => e.id);
    expect(after).toEqual([...before, ...before]);
  });

  it('an unreadable stored tracking is logged and the rig starts afresh, instead of its samples failing', async () => {
    await redis.set('drilling:norte-07:tracking', '{"tracking":{"clock":"yesterday"}}');
    await feed(rigPoll(0));
    expect(calculations('well-control')).toEqual([expect.objectContaining({ wellId: 'norte-07', kick: false, losses: false })]);
    expect(bed.deadLetters('scada.telemetry.validated')).toEqual([]);
    const stored = JSON.parse((await redis.get('drilling:norte-07:tracking')) as string);
    expect(stored.tracking.clock).toBe(t0);
  });
});
