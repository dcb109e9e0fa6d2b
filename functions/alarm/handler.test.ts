import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alarm, AlarmAction, TelemetryValidated } from '#contracts';
import { deadLetterHeader } from '../../runtime/dead-letter.ts';
import { loadFunction } from '../../runtime/load-function.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';
import { validatedSample } from '../../tests/support/telemetry-samples.ts';

// In-process Redis: the alarm logic runs as written; tests/integration runs it on a real Redis.
const redis = new RedisMock() as unknown as Redis;
let bed: TestBed;
let t0 = 0;
const previousConfigDir = process.env.FLOWLINE_CONFIG_DIR;

// The shipped examples, with a flood limit of 3 raised alarms per minute so the flood test stays small.
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'flowline-alarm-'));
  cpSync('config/examples', dir, { recursive: true });
  writeFileSync(
    join(dir, 'alarm-rules.yaml'),
    `flood: { maxRaisedPerMinute: 3 }
rules:
  - tagId: tubing_pressure
    unit: psi
    limits: { HH: 1450, H: 1200, L: 300, LL: 150 }
    deadband: 25
    onDelaySeconds: 3
    offDelaySeconds: 5
    stale: { afterSeconds: 30, severity: MEDIUM }
  - tagId: casing_pressure
    unit: psi
    rateOfChange: { maxPerMinute: 600, severity: MEDIUM }
`,
  );
  process.env.FLOWLINE_CONFIG_DIR = dir;
});
afterAll(() => {
  if (previousConfigDir === undefined) delete process.env.FLOWLINE_CONFIG_DIR;
  else process.env.FLOWLINE_CONFIG_DIR = previousConfigDir;
});

beforeEach(async () => {
  t0 = Date.now(); // samples from now on: fresh, so only the stale tests meet the stale limit
  await redis.flushall();
  bed = await createTestBed({ functions: [await loadFunction('functions/alarm')], redis, partitions: 1 });
});
afterEach(() => bed.stop());

function sample(atMs: number, value: number, overrides: Partial<TelemetryValidated> = {}): TelemetryValidated {
  return validatedSample({ timestamp: t0 + atMs, value, ...overrides });
}

/** Feeds samples (ms offset, value) and returns what was announced, as "condition transition state". */
async function feed(...samples: [number, number][]): Promise<string[]> {
  return feedTag('tubing_pressure', ...samples);
}

async function feedTag(tagId: string, ...samples: [number, number][]): Promise<string[]> {
  for (const [at, value] of samples) bed.publish('scada.telemetry.validated', sample(at, value, { tagId }), { key: 'rtu-w01' });
  await bed.drained();
  return announced();
}

const announced = () => bed.events<Alarm>('scada.alarms').map((e) => `${e.data.condition} ${e.data.transition} ${e.data.state}`);

async function act(action: Omit<AlarmAction, 'timestamp' | 'tenantId' | 'actor'> & Partial<AlarmAction>): Promise<void> {
  bed.publish(
    'scada.alarm-actions',
    { timestamp: Date.now(), tenantId: 'acme-energy', actor: 'ana@acme', ...action },
    { key: action.alarmId },
  );
  await bed.drained();
}

const state = async (condition: string) => redis.hget(`alarm:rtu-w01.tubing_pressure.${condition}:state`, 'state');

describe('alarm: limits, deadband and delays', () => {
  it('raises H only after the on-delay (3 s) has fully elapsed, by sample time', async () => {
    expect(await feed([0, 1300], [2_999, 1300])).toEqual([]);
    expect(await feed([3_000, 1300])).toEqual(['H raised UNACK_ACTIVE']);
    const [raised] = bed.events<Alarm>('scada.alarms');
    expect(raised?.data).toMatchObject({
      alarmId: 'rtu-w01.tubing_pressure.H',
      severity: 'HIGH',
      value: 1300,
      threshold: 1200,
      wellId: 'norte-01',
    });
    expect(raised?.data.message).toBe('Norte-01 tubing_pressure high: 1300 psi (limit 1200 psi)');
  });

  it('does not raise on a value exactly at the limit, nor on a blip shorter than the on-delay', async () => {
    expect(await feed([0, 1200], [1_000, 1200], [5_000, 1200])).toEqual([]);
    expect(await feed([6_000, 1250], [8_000, 1190], [9_000, 1250], [11_000, 1250])).toEqual([]);
  });

  it('holds inside the deadband (limit − 25 psi) and clears only after the off-delay (5 s)', async () => {
    await feed([0, 1300], [3_000, 1300]);
    expect(await feed([4_000, 1175], [10_000, 1175])).toEqual(['H raised UNACK_ACTIVE']); // 1175 = 1200 − 25: still active
    expect(await feed([11_000, 1174.9], [15_999, 1170])).toEqual(['H raised UNACK_ACTIVE']); // below, but not for 5 s yet
    expect(await feed([16_000, 1170])).toEqual(['H raised UNACK_ACTIVE', 'H cleared RTN_UNACK']);
    expect(bed.events<Alarm>('scada.alarms')[1]?.data.message).toBe(
      'Norte-01 tubing_pressure high back to normal: 1170 psi (limit 1200 psi)',
    );
  });

  it('restarts the off-delay when the value returns above the clear level', async () => {
    await feed([0, 1300], [3_000, 1300], [4_000, 1100], [7_000, 1180], [8_000, 1100], [12_999, 1100]);
    expect(announced()).toEqual(['H raised UNACK_ACTIVE']);
    expect(await feed([13_000, 1100])).toEqual(['H raised UNACK_ACTIVE', 'H cleared RTN_UNACK']);
  });

  it('raises H and HH as separate alarms, ordered by severity in the tenant’s active list', async () => {
    await feed([0, 1500], [3_000, 1500]);
    expect(announced().sort()).toEqual(['H raised UNACK_ACTIVE', 'HH raised UNACK_ACTIVE']);
    expect(await redis.zrevrange('alarms:active:acme-energy', 0, -1)).toEqual(['rtu-w01.tubing_pressure.HH', 'rtu-w01.tubing_pressure.H']);
  });

  it('raises low alarms below their limits, with the deadband above', async () => {
    await feed([0, 250], [3_000, 250], [4_000, 320], [9_000, 320]);
    expect(announced()).toEqual(['L raised UNACK_ACTIVE']); // 320 < 300 + 25: still inside the deadband
    expect(await feed([10_000, 325.1], [15_000, 325.1])).toEqual(['L raised UNACK_ACTIVE', 'L cleared RTN_UNACK']);
  });

  it('raises a rate-of-change alarm above 600 psi/min, not at it, and clears it when the rate settles', async () => {
    expect(await feedTag('casing_pressure', [0, 400], [6_000, 460])).toEqual([]); // exactly 600 psi/min
    expect(await feedTag('casing_pressure', [12_000, 521])).toEqual(['ROC raised UNACK_ACTIVE']); // 610 psi/min
    expect(await feedTag('casing_pressure', [18_000, 522])).toEqual(['ROC raised UNACK_ACTIVE', 'ROC cleared RTN_UNACK']);
    expect(bed.events<Alarm>('scada.alarms')[0]?.data.message).toBe(
      'Norte-01 casing_pressure changing too fast: 610 psi/min (limit 600 psi/min)',
    );
  });

  it('ignores bad values and samples older than the last one judged', async () => {
    bed.publish('scada.telemetry.validated', sample(0, 9999, { status: 'bad', flags: ['out-of-range'] }), { key: 'rtu-w01' });
    await feed([10_000, 1000], [9_000, 1400], [13_000, 1000]);
    expect(announced()).toEqual([]);
  });
});

describe('alarm: lifecycle (ISA-18.2)', () => {
  const raiseH = () => feed([0, 1300], [3_000, 1300]);
  const clearH = () => feed([4_000, 1000], [9_000, 1000]);

  it('acknowledged while active → ACK_ACTIVE, then clears to NORMAL and leaves the active list', async () => {
    await raiseH();
    await act({ alarmId: 'rtu-w01.tubing_pressure.H', action: 'acknowledge', comment: 'crew on the way' });
    const ack = bed.events<Alarm>('scada.alarms')[1]?.data;
    expect(ack).toMatchObject({ transition: 'acknowledged', state: 'ACK_ACTIVE', actor: 'ana@acme', comment: 'crew on the way' });
    expect(await redis.hget('alarm:rtu-w01.tubing_pressure.H:state', 'acknowledgedBy')).toBe('ana@acme');
    await clearH();
    expect(announced().slice(-1)).toEqual(['H cleared NORMAL']);
    expect(await redis.zcard('alarms:active:acme-energy')).toBe(0);
  });

  it('cleared before acknowledgement → RTN_UNACK, still listed, until acknowledged', async () => {
    await raiseH();
    await clearH();
    expect(await state('H')).toBe('RTN_UNACK');
    expect(await redis.zrange('alarms:active:acme-energy', 0, -1)).toEqual(['rtu-w01.tubing_pressure.H']);
    await act({ alarmId: 'rtu-w01.tubing_pressure.H', action: 'acknowledge' });
    expect(await state('H')).toBe('NORMAL');
    expect(await redis.zcard('alarms:active:acme-energy')).toBe(0);
  });

  it('returning to alarm from RTN_UNACK raises it again', async () => {
    await raiseH();
    await clearH();
    expect(await feed([10_000, 1300], [13_000, 1300])).toEqual(['H raised UNACK_ACTIVE', 'H cleared RTN_UNACK', 'H raised UNACK_ACTIVE']);
  });

  it('shelved: silent and off the active list; when the shelf runs out it comes back as it stands', async () => {
    await raiseH();
    await act({ alarmId: 'rtu-w01.tubing_pressure.H', action: 'shelve', durationSeconds: 3600, comment: 'sensor maintenance' });
    expect(await state('H')).toBe('SHELVED');
    expect(await redis.zcard('alarms:active:acme-energy')).toBe(0);
    expect(await redis.zcard('alarms:shelved:acme-energy')).toBe(1);
    await clearH();
    await feed([10_000, 1300], [13_000, 1300]);
    expect(announced()).toEqual(['H raised UNACK_ACTIVE', 'H shelved SHELVED']); // condition changes while shelved are not announced

    await bed.tick('alarm'); // the shelf has an hour left
    expect(await state('H')).toBe('SHELVED');
    await redis.zadd('alarms:shelved:acme-energy', Date.now() - 1, 'rtu-w01.tubing_pressure.H');
    await redis.hset('alarm:rtu-w01.tubing_pressure.H:state', 'shelvedUntil', String(Date.now() - 1));
    await bed.tick('alarm');
    await bed.drained();
    expect(announced().slice(-1)).toEqual(['H unshelved UNACK_ACTIVE']); // still above the limit: annunciated again
    expect(bed.events<Alarm>('scada.alarms').at(-1)?.data).toMatchObject({ actor: 'system', comment: 'shelf expired' });
  });

  describe('an action taken at a site before this function saw the raise it names', () => {
    const H = 'rtu-w01.tubing_pressure.H';
    // raiseH's second sample ends the 3 s on-delay: the raise's own time is that sample's.
    const raisedAt = () => t0 + 3_000;
    /** The crew's acknowledgement at the pad, half a second after the pad's raise. */
    const padAck = (extra: Record<string, unknown> = {}) => ({
      timestamp: t0 + 3_500,
      tenantId: 'acme-energy',
      actor: 'crew@pad',
      alarmId: H,
      action: 'acknowledge',
      raisedAt: raisedAt(),
      ...extra,
    });

    it('waits for that raise, then applies once, right after it, under its own event id', async () => {
      const sent = bed.publish('scada.alarm-actions', padAck({ comment: 'seen at the pad' }), { key: 'rtu-w01' });
      await bed.drained();
      expect(bed.deadLetters('scada.alarm-actions')).toEqual([]);
      expect(announced()).toEqual([]);
      expect(await redis.smembers('alarm:deferred')).toEqual([H]);

      await raiseH();
      expect(announced()).toEqual(['H raised UNACK_ACTIVE', 'H acknowledged ACK_ACTIVE']);
      const [raised, ack] = bed.events<Alarm>('scada.alarms');
      expect(raised?.data.timestamp).toBe(raisedAt());
      expect(ack?.data).toMatchObject({ actor: 'crew@pad', comment: 'seen at the pad', timestamp: t0 + 3_500 });
      expect(await redis.hget(`alarm:${H}:state`, 'acknowledgedBy')).toBe('crew@pad');
      expect(await redis.smembers('alarm:deferred')).toEqual([]);
      expect(await redis.exists(`alarm:deferred:${H}`)).toBe(0);

      // The same action delivered again (the edge buffer sends at least once): nothing new happens.
      const ackId = ack?.id;
      bed.publish('scada.alarm-actions', sent.data, { key: 'rtu-w01', id: sent.id });
      await bed.drained();
      expect(announced()).toEqual(['H raised UNACK_ACTIVE', 'H acknowledged ACK_ACTIVE', 'H acknowledged ACK_ACTIVE']);
      expect(bed.events<Alarm>('scada.alarms').at(-1)?.id).toBe(ackId); // republished under the same id: consumers drop it
      expect(await state('H')).toBe('ACK_ACTIVE');
    });

    it('the sample that settled it, delivered again, announces the acknowledgement again under the same id', async () => {
      const data = padAck();
      bed.publish('scada.alarm-actions', data, { key: 'rtu-w01' });
      await bed.drained();
      await feed([0, 1300]);
      const raising = bed.publish('scada.telemetry.validated', sample(3_000, 1300), { key: 'rtu-w01' });
      await bed.drained();
      // As after a publish that failed once the state was written: the same event again.
      bed.publish('scada.telemetry.validated', raising.data, { key: 'rtu-w01', id: raising.id });
      await bed.drained();
      const events = bed.events<Alarm>('scada.alarms');
      expect(events.map((e) => `${e.data.transition} ${e.data.state}`)).toEqual([
        'raised UNACK_ACTIVE',
        'acknowledged ACK_ACTIVE',
        'raised UNACK_ACTIVE',
        'acknowledged ACK_ACTIVE',
      ]);
      expect(events[2]?.id).toBe(events[0]?.id);
      expect(events[3]?.id).toBe(events[1]?.id);
      expect(await state('H')).toBe('ACK_ACTIVE');
    });

    it('a redelivery while it waits waits once', async () => {
      const data = padAck();
      const sent = bed.publish('scada.alarm-actions', data, { key: 'rtu-w01' });
      bed.publish('scada.alarm-actions', data, { key: 'rtu-w01', id: sent.id });
      await bed.drained();
      expect(await redis.hlen(`alarm:deferred:${H}`)).toBe(1);
      await raiseH();
      expect(announced()).toEqual(['H raised UNACK_ACTIVE', 'H acknowledged ACK_ACTIVE']);
    });

    it('an acknowledgement of an earlier raise does not acknowledge the alarm raised again since', async () => {
      await raiseH();
      await clearH();
      await feed([10_000, 1300], [13_000, 1300]);
      await act({ alarmId: H, action: 'acknowledge', raisedAt: raisedAt() });
      expect(await state('H')).toBe('UNACK_ACTIVE');
      expect(announced()).toEqual(['H raised UNACK_ACTIVE', 'H cleared RTN_UNACK', 'H raised UNACK_ACTIVE']);
    });

    it('an action naming a later raise than the one here applies once the samples reach that moment (the site restarted, its alarm raised anew)', async () => {
      await raiseH(); // up here since t0 + 3 s
      const padRaise = t0 + 6_000; // the pad's own alarm state began afresh, and raised at its first sample after
      bed.publish(
        'scada.alarm-actions',
        { timestamp: t0 + 7_000, tenantId: 'acme-energy', actor: 'crew@pad', alarmId: H, action: 'acknowledge', raisedAt: padRaise },
        { key: 'rtu-w01' },
      );
      await bed.drained();
      expect(await state('H')).toBe('UNACK_ACTIVE'); // the samples here stop at t0 + 3 s: it waits
      await feed([5_000, 1300]);
      expect(await state('H')).toBe('UNACK_ACTIVE');
      await feed([6_000, 1300]);
      expect(await state('H')).toBe('ACK_ACTIVE');
      expect(announced()).toEqual(['H raised UNACK_ACTIVE', 'H acknowledged ACK_ACTIVE']);
      expect(await redis.smembers('alarm:deferred')).toEqual([]);
    });

    it('an action on an alarm that never comes up here is dropped once the samples pass its moment', async () => {
      bed.publish(
        'scada.alarm-actions',
        { timestamp: t0 + 2_500, tenantId: 'acme-energy', actor: 'crew@pad', alarmId: H, action: 'acknowledge', raisedAt: t0 + 2_000 },
        { key: 'rtu-w01' },
      );
      await bed.drained();
      await feed([0, 1000], [1_000, 1000]);
      expect(await redis.smembers('alarm:deferred')).toEqual([H]);
      await feed([2_000, 1000]);
      expect(await redis.smembers('alarm:deferred')).toEqual([]);
      expect(announced()).toEqual([]);
      expect(bed.deadLetters('scada.alarm-actions')).toEqual([]);
    });

    it('an alarm whose waiting actions expired leaves the waiting list at its next sample', async () => {
      await feed([0, 1000]);
      await redis.sadd('alarm:deferred', H); // its alarm:deferred:{id} hash gone, as after a week
      await feed([1_000, 1000]);
      expect(await redis.smembers('alarm:deferred')).toEqual([]);
    });

    it('an action naming the raise the alarm is in applies at once', async () => {
      await raiseH();
      await act({ alarmId: H, action: 'acknowledge', raisedAt: raisedAt() });
      expect(await state('H')).toBe('ACK_ACTIVE');
      expect(await redis.smembers('alarm:deferred')).toEqual([]);
    });
  });

  it('refuses shelving without a duration, and an action from another tenant', async () => {
    await raiseH();
    bed.publish(
      'scada.alarm-actions',
      { timestamp: Date.now(), tenantId: 'acme-energy', actor: 'ana', alarmId: 'rtu-w01.tubing_pressure.H', action: 'shelve' },
      { key: 'x' },
    );
    await act({ alarmId: 'rtu-w01.tubing_pressure.H', action: 'acknowledge', tenantId: 'other-co' });
    const reasons = bed.deadLetters('scada.alarm-actions').map((l) => l.headers[deadLetterHeader.reason]);
    expect(reasons[0]).toContain('durationSeconds: shelving needs durationSeconds');
    expect(reasons[1]).toBe('PermanentError: alarm "rtu-w01.tubing_pressure.H" does not belong to tenant "other-co"');
    expect(await state('H')).toBe('UNACK_ACTIVE');
  });

  it('suppressed by design, then unsuppressed back to NORMAL when the condition is gone', async () => {
    await raiseH();
    await act({ alarmId: 'rtu-w01.tubing_pressure.H', action: 'suppress', comment: 'well shut in' });
    expect(await redis.zrange('alarms:suppressed:acme-energy', 0, -1)).toEqual(['rtu-w01.tubing_pressure.H']);
    await clearH();
    await act({ alarmId: 'rtu-w01.tubing_pressure.H', action: 'unsuppress' });
    expect(announced()).toEqual(['H raised UNACK_ACTIVE', 'H suppressed SUPPRESSED', 'H unsuppressed NORMAL']);
    expect(await redis.zcard('alarms:suppressed:acme-energy')).toBe(0);
  });
});

describe('alarm: tags at rest', () => {
  const quiet = () => redis.hget('alarm:tag:rtu-w01:tubing_pressure', 'quiet');

  it('marks a tag whose alarms all rest; a sample meeting a condition lifts the mark until every delay has run out', async () => {
    expect(await feed([0, 900])).toEqual([]);
    expect(await quiet()).not.toBeNull();
    expect(await feed([1_000, 1300])).toEqual([]); // H's on-delay starts
    expect(await quiet()).toBeNull();
    expect(await feed([2_000, 900])).toEqual([]); // the blip is over: H rests again
    expect(await quiet()).not.toBeNull();
    // The on-delay starts over at 3 s: had the blip's timer survived the rest, H would rise at 4 s.
    expect(await feed([3_000, 1300])).toEqual([]);
    expect(await feed([5_999, 1300])).toEqual([]);
    expect(await feed([6_000, 1300])).toEqual(['H raised UNACK_ACTIVE']);
  });

  it('evaluates a resting tag in full once its rule changes: the stored alarms take the new limits', async () => {
    expect(await feed([0, 900])).toEqual([]);
    expect(await redis.hget('alarm:rtu-w01.tubing_pressure.H:state', 'threshold')).toBe('1200');
    const dir = mkdtempSync(join(tmpdir(), 'flowline-alarm-'));
    cpSync(process.env.FLOWLINE_CONFIG_DIR as string, dir, { recursive: true });
    writeFileSync(
      join(dir, 'alarm-rules.yaml'),
      readFileSync(join(dir, 'alarm-rules.yaml'), 'utf8').replace('limits: { HH: 1450, H: 1200,', 'limits: { HH: 1450, H: 1000,'),
    );
    const configDir = process.env.FLOWLINE_CONFIG_DIR;
    await bed.stop();
    process.env.FLOWLINE_CONFIG_DIR = dir;
    try {
      bed = await createTestBed({ functions: [await loadFunction('functions/alarm')], redis, partitions: 1 });
    } finally {
      process.env.FLOWLINE_CONFIG_DIR = configDir;
    }
    expect(await feed([1_000, 900])).toEqual([]); // below both limits: nothing to announce, but a new rule
    expect(await redis.hget('alarm:rtu-w01.tubing_pressure.H:state', 'threshold')).toBe('1000');
  });

  it('an operator shelving a resting alarm lifts the mark: the shelved alarm stays silent through a limit crossing', async () => {
    expect(await feed([0, 900])).toEqual([]);
    await act({ alarmId: 'rtu-w01.tubing_pressure.H', action: 'shelve', durationSeconds: 600 });
    expect(await quiet()).toBeNull();
    expect(await feed([1_000, 1300], [5_000, 1300])).toEqual(['H shelved SHELVED']);
    expect(await state('H')).toBe('SHELVED');
  });
});

describe('alarm: stale values, duplicates, floods', () => {
  it('raises STALE from the sweep when a tag goes silent past 30 s, and clears it on the next sample', async () => {
    const now = Date.now();
    bed.publish('scada.telemetry.validated', sample(0, 1000, { timestamp: now - 31_000 }), { key: 'rtu-w01' });
    await bed.drained();
    expect(announced()).toEqual(['STALE raised UNACK_ACTIVE']); // it arrived already 31 s old
    await redis.flushall();
    bed.publish('scada.telemetry.validated', sample(0, 1000, { timestamp: now - 29_000 }), { key: 'rtu-w01' });
    await bed.drained();
    await bed.tick('alarm'); // 29 s: not yet
    expect(await state('STALE')).toBe('NORMAL');
    await redis.hset('alarm:tag:rtu-w01:tubing_pressure', 'timestamp', String(Date.now() - 30_500));
    await bed.tick('alarm');
    await bed.drained();
    expect(await state('STALE')).toBe('UNACK_ACTIVE');
    bed.publish('scada.telemetry.validated', sample(0, 1000, { timestamp: Date.now() }), { key: 'rtu-w01' });
    await bed.drained();
    expect(announced().slice(-2)).toEqual(['STALE raised UNACK_ACTIVE', 'STALE cleared RTN_UNACK']);
  });

  it('announces a redelivered event exactly once more, under the same ids, without a second transition', async () => {
    await feed([0, 1300]);
    bed.publish('scada.telemetry.validated', sample(3_000, 1300), { key: 'rtu-w01', id: 'evt-3000' });
    bed.publish('scada.telemetry.validated', sample(3_000, 1300), { key: 'rtu-w01', id: 'evt-3000' });
    await bed.drained();
    const events = bed.events<Alarm>('scada.alarms');
    expect(events.map((e) => e.data.transition)).toEqual(['raised', 'raised']);
    expect(events[0]?.id).toBe(events[1]?.id); // same id: persist and notify deduplicate
    expect(await state('H')).toBe('UNACK_ACTIVE');
  });

  it('flags alarms past the tenant’s flood limit (3 per minute), and still announces and stores them all', async () => {
    const tags = ['rtu-w01', 'rtu-w02', 'rtu-w03'];
    for (const deviceId of tags) {
      for (const at of [0, 3_000]) bed.publish('scada.telemetry.validated', sample(at, 1500, { deviceId }), { key: deviceId });
    }
    await bed.drained();
    const alarms = bed.events<Alarm>('scada.alarms').map((e) => e.data);
    expect(alarms).toHaveLength(6); // H and HH for three devices
    expect(alarms.filter((a) => a.flood)).toHaveLength(3);
    expect(await redis.zcard('alarms:active:acme-energy')).toBe(6);
  });
});

describe('alarm: the sweep publishes what it writes (outbox)', () => {
  /** A tag gone silent 30.5 s ago: the next sweep raises its STALE alarm. */
  async function silentTag(deviceId = 'rtu-w01'): Promise<void> {
    bed.publish('scada.telemetry.validated', sample(0, 1000, { deviceId, timestamp: Date.now() - 29_000 }), { key: deviceId });
    await bed.drained();
    await redis.hset(`alarm:tag:${deviceId}:tubing_pressure`, 'timestamp', String(Date.now() - 30_500));
  }

  it('a stale transition whose publish failed is published by the next sweep, and only once', async () => {
    await silentTag();
    await expect(bed.tick('alarm', { fault: 'publish-fails' })).rejects.toThrow('injected fault');
    expect(await state('STALE')).toBe('UNACK_ACTIVE'); // written, not announced
    expect(announced()).toEqual([]);
    await bed.tick('alarm');
    expect(announced()).toEqual(['STALE raised UNACK_ACTIVE']);
    await bed.tick('alarm');
    expect(announced()).toEqual(['STALE raised UNACK_ACTIVE']);
  });

  it('a sweep that died after the broker took its events republishes them under the same ids', async () => {
    await silentTag();
    await bed.tick('alarm', { fault: 'crash-after-publish' });
    await bed.tick('alarm');
    await bed.tick('alarm');
    const events = bed.events<Alarm>('scada.alarms');
    expect(events.map((e) => e.data.transition)).toEqual(['raised', 'raised']);
    expect(events[1]?.id).toBe(events[0]?.id); // persist and notify deduplicate
    expect(events[1]?.data).toEqual(events[0]?.data);
  });

  it('a shelf that ran out is announced even when the sweep’s publish failed', async () => {
    await feed([0, 1300], [3_000, 1300]);
    await act({ alarmId: 'rtu-w01.tubing_pressure.H', action: 'shelve', durationSeconds: 3600 });
    await redis.zadd('alarms:shelved:acme-energy', Date.now() - 1, 'rtu-w01.tubing_pressure.H');
    await redis.hset('alarm:rtu-w01.tubing_pressure.H:state', 'shelvedUntil', String(Date.now() - 1));
    await expect(bed.tick('alarm', { fault: 'publish-fails' })).rejects.toThrow('injected fault');
    expect(await state('H')).toBe('UNACK_ACTIVE');
    await bed.tick('alarm');
    expect(announced()).toEqual(['H raised UNACK_ACTIVE', 'H shelved SHELVED', 'H unshelved UNACK_ACTIVE']);
  });

  it('a sweep cut short by a tag locked by another writer loses none of the transitions it wrote', async () => {
    await silentTag('rtu-w01');
    await silentTag('rtu-w02');
    const [, second] = await redis.smembers('alarm:tags');
    const [deviceId, tagId] = (second ?? '').split('|');
    await redis.set(`lock:alarm:${deviceId}:${tagId}`, 'another-writer', 'PX', 60_000);
    await expect(bed.tick('alarm')).rejects.toThrow('locked by another writer'); // after the first tag's STALE was written
    await redis.del(`lock:alarm:${deviceId}:${tagId}`);
    await bed.tick('alarm');
    const raised = bed.events<Alarm>('scada.alarms').map((e) => `${e.data.deviceId} ${e.data.condition} ${e.data.transition}`);
    expect(raised.sort()).toEqual(['rtu-w01 STALE raised', 'rtu-w02 STALE raised']);
  }, 20_000);
});

describe('alarm: flood counting under retries', () => {
  /**
   * The Redis client with one fault: the connection drops as the first write that
   * announces alarms (the MULTI that records what the event announced) is sent, so
   * nothing of it reaches Redis and the attempt fails, as when Redis restarts mid-event.
   */
  function droppingFirstAnnouncement(target: Redis): Redis {
    let drops = 1;
    const chainOf = (chain: ReturnType<Redis['multi']>) => {
      const keys: unknown[] = [];
      const proxy: ReturnType<Redis['multi']> = new Proxy(chain, {
        get(inner, property) {
          const value = Reflect.get(inner, property, inner);
          if (property === 'exec')
            return async () => {
              if (drops > 0 && keys.some((k) => typeof k === 'string' && k.startsWith('alarm:emitted:'))) {
                drops -= 1;
                throw new Error('Connection is closed.');
              }
              return value.apply(inner, []);
            };
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            keys.push(args[0]);
            value.apply(inner, args);
            return proxy;
          };
        },
      });
      return proxy;
    };
    return new Proxy(target, {
      get(inner, property) {
        const value = Reflect.get(inner, property, inner);
        if (property === 'multi') return () => chainOf(inner.multi());
        return typeof value === 'function' ? value.bind(inner) : value;
      },
    });
  }

  it('an alarm raised by an event that had to be retried counts once toward the flood limit', async () => {
    await bed.stop();
    const alarm = await loadFunction('functions/alarm');
    const fastRetry = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };
    bed = await createTestBed({
      functions: [{ ...alarm, manifest: { ...alarm.manifest, retry: fastRetry } }],
      redis: droppingFirstAnnouncement(redis),
      partitions: 1,
    });
    const devices = ['rtu-w01', 'rtu-w02', 'rtu-w03'];
    for (const deviceId of devices) bed.publish('scada.telemetry.validated', sample(0, 1300, { deviceId }), { key: deviceId });
    await bed.drained();
    for (const deviceId of devices) {
      // rtu-w01's raise: its first write is dropped, the retry writes it.
      bed.publish('scada.telemetry.validated', sample(3_000, 1300, { deviceId }), { key: deviceId });
      await bed.drained();
    }
    const alarms = bed.events<Alarm>('scada.alarms').map((e) => `${e.data.deviceId} ${e.data.transition} flood=${e.data.flood ?? false}`);
    // Three raised in the minute, the limit is three: none is part of a flood.
    expect(alarms).toEqual(['rtu-w01 raised flood=false', 'rtu-w02 raised flood=false', 'rtu-w03 raised flood=false']);
  });
});
