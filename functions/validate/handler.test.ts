import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TelemetryRaw, TelemetryValidated } from '#contracts';
import { deadLetterHeader } from '../../runtime/dead-letter.ts';
import { loadFunction } from '../../runtime/load-function.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';
import { historyKept, historyLength } from './tag-history.ts';

// In-process Redis: the handler's Redis logic runs as written; tests/integration runs it on a real Redis.
const redis = new RedisMock() as unknown as Redis;
let bed: TestBed;
// Samples are stamped from now on, so only the stale test meets the 30 s stale timeout.
let t0 = Date.now();

beforeEach(async () => {
  t0 = Date.now();
  await redis.flushall();
  bed = await createTestBed({ functions: [await loadFunction('functions/validate')], redis, partitions: 1 });
});
afterEach(() => bed.stop());

function raw(overrides: Partial<TelemetryRaw> = {}): TelemetryRaw {
  return { timestamp: t0, deviceId: 'rtu-w01', tagId: 'tubing_pressure', value: 850, quality: 192, sourceProtocol: 'MODBUS', ...overrides };
}

async function validate(...samples: TelemetryRaw[]): Promise<TelemetryValidated[]> {
  for (const s of samples) bed.publish('scada.telemetry.raw', s, { key: s.deviceId });
  await bed.drained();
  return bed.events<TelemetryValidated>('scada.telemetry.validated').map((e) => e.data);
}

const flagsOf = (out: TelemetryValidated[]) => out.map((v) => `${v.status}:${v.flags.join(',')}`);

describe('validate', () => {
  it('passes a good sample, enriched from the asset registry, and keeps it as the current value', async () => {
    const [out] = await validate(raw());
    expect(out).toMatchObject({
      status: 'good',
      flags: [],
      unit: 'psi',
      tenantId: 'acme-energy',
      fieldId: 'campo-norte',
      wellId: 'norte-01',
      value: 850,
    });
    const current = JSON.parse((await redis.hget('telemetry:norte-01:current', 'tubing_pressure')) ?? '{}');
    expect(current).toMatchObject({ value: 850, status: 'good', timestamp: t0, deviceId: 'rtu-w01' });
    expect(await redis.zcard('telemetry:norte-01:history:tubing_pressure')).toBe(1);
  });

  it('dead-letters a sample from a device no tenant owns, and one that is not TelemetryRaw', async () => {
    await validate(raw({ deviceId: 'rtu-unknown' }));
    bed.publish('scada.telemetry.raw', { ...raw(), value: 'high' }, { key: 'rtu-w01' });
    await bed.drained();
    const letters = bed.deadLetters('scada.telemetry.raw').map((l) => l.headers[deadLetterHeader.reason]);
    expect(letters[0]).toBe(
      'PermanentError: device "rtu-unknown" is not in the asset registry: add it to assets.yaml (or the flowline_config table)',
    );
    expect(letters[1]).toMatch(/^data does not match the scada\.telemetry\.raw schema: value: /);
    expect(bed.events('scada.telemetry.validated')).toHaveLength(0);
  });

  it('keeps a sample from a clock 30 days ahead out of the current value and history: the real samples after it still count', async () => {
    const ahead = t0 + 30 * 86_400_000;
    const out = await validate(
      raw({ value: 900, timestamp: ahead }),
      raw({ value: 850, timestamp: t0 + 1000 }),
      raw({ value: 851, timestamp: t0 + 2000 }),
    );
    expect(flagsOf(out)).toEqual(['bad:clock-skew', 'good:', 'good:']);
    const current = JSON.parse((await redis.hget('telemetry:norte-01:current', 'tubing_pressure')) ?? '{}');
    expect(current).toMatchObject({ value: 851, timestamp: t0 + 2000, status: 'good' });
    expect(await redis.zcard('telemetry:norte-01:history:tubing_pressure')).toBe(2);
  });

  it('marks a sample stamped in seconds instead of milliseconds (1970) bad, and accepts a clock 2 hours behind as late data', async () => {
    const out = await validate(
      raw({ timestamp: Math.floor(t0 / 1000) }),
      raw({ tagId: 'mystery', timestamp: Math.floor(t0 / 1000) + 1 }),
      raw({ timestamp: t0 - 2 * 3_600_000 }),
    );
    expect(flagsOf(out)).toEqual(['bad:clock-skew', 'bad:clock-skew', 'suspect:stale']);
  });

  it('marks quality: uncertain is suspect, bad is bad; an unknown tag is suspect', async () => {
    const out = await validate(raw({ quality: 68 }), raw({ quality: 24, timestamp: t0 + 1 }), raw({ tagId: 'mystery', timestamp: t0 + 2 }));
    expect(flagsOf(out)).toEqual(['suspect:quality-uncertain', 'bad:quality-bad', 'suspect:unknown-tag']);
  });

  it('marks a value outside the engineering range bad, and one on its edge good', async () => {
    const out = await validate(
      raw({ value: 5000 }),
      raw({ value: 5000.1, timestamp: t0 + 60_000 }),
      raw({ value: -0.1, timestamp: t0 + 120_000 }),
    );
    expect(flagsOf(out)).toEqual(['good:', 'bad:out-of-range', 'bad:out-of-range']);
  });

  it('flags a rate of change above the limit, not one exactly at it (250 psi/s)', async () => {
    const out = await validate(
      raw({ value: 800 }),
      raw({ value: 1050, timestamp: t0 + 1000 }),
      raw({ value: 1300.5, timestamp: t0 + 2000 }),
    );
    expect(flagsOf(out)).toEqual(['good:', 'good:', 'suspect:rate-of-change']);
  });

  it('flags a spike beyond the deviation from the median of the last 5 good values, not one at it (900 psi)', async () => {
    const steady = [800, 810, 790, 805, 795].map((value, i) => raw({ value, timestamp: t0 + i * 10_000 }));
    const out = await validate(...steady, raw({ value: 1700, timestamp: t0 + 50_000 }), raw({ value: 1800.5, timestamp: t0 + 100_000 }));
    // median of the 5 before the 7th is 805 (800, 810, 805, 795, 1700 → 805); 1800.5 − 805 > 900
    expect(flagsOf(out).slice(5)).toEqual(['good:', 'suspect:spike']);
  });

  it('flags a frozen sensor at the 30th identical value, not the 29th', async () => {
    const samples = Array.from({ length: 30 }, (_, i) => raw({ value: 812.5, timestamp: t0 + i * 1000 }));
    const out = await validate(...samples);
    expect(out[28]?.flags).toEqual([]);
    expect(out[29]?.flags).toEqual(['frozen']);
  });

  it('flags a sample that arrives later than its stale timeout (30 s)', async () => {
    const out = await validate(raw({ timestamp: Date.now() - 31_000 }), raw({ timestamp: Date.now() - 5_000 }));
    expect(out.map((v) => v.flags.includes('stale'))).toEqual([true, false]);
  });

  it('keeps an out-of-order sample in history but not as the current value', async () => {
    const out = await validate(raw({ value: 900, timestamp: t0 + 5000 }), raw({ value: 880, timestamp: t0 }));
    expect(flagsOf(out)).toEqual(['good:', 'suspect:out-of-order']);
    const current = JSON.parse((await redis.hget('telemetry:norte-01:current', 'tubing_pressure')) ?? '{}');
    expect(current).toMatchObject({ value: 900, timestamp: t0 + 5000 });
    expect(await redis.zcard('telemetry:norte-01:history:tubing_pressure')).toBe(2);
  });

  it('drops an exact duplicate from another event, but republishes the same event when it is redelivered', async () => {
    bed.publish('scada.telemetry.raw', raw(), { key: 'rtu-w01', id: 'evt-1' });
    bed.publish('scada.telemetry.raw', raw(), { key: 'rtu-w01', id: 'evt-2' }); // same sample, another event: a duplicate
    bed.publish('scada.telemetry.raw', raw({ value: 851 }), { key: 'rtu-w01', id: 'evt-3' }); // same time, another value: kept
    bed.publish('scada.telemetry.raw', raw(), { key: 'rtu-w01', id: 'evt-1' }); // evt-1 again: a redelivery
    await bed.drained();
    const out = bed.events<TelemetryValidated>('scada.telemetry.validated');
    expect(out.map((e) => e.data.value)).toEqual([850, 851, 850]);
    expect(out[2]?.id).toBe(out[0]?.id); // the redelivery republished under the same id: downstream deduplicates
    const dropped = await bed.metrics.registry.getSingleMetric('flowline_fn_validate_duplicates_dropped_total')?.get();
    expect(dropped?.values[0]?.value).toBe(1);
  });

  it('gives a redelivered chunk the verdicts of its first attempt: its own later samples do not make it out of order', async () => {
    // Found by the fault suite (broker killed mid-burst): the first attempt wrote the chunk's
    // samples to history, its publishes died with the broker, and on redelivery every sample
    // but the last saw "newer" ones — its own — and was flagged out-of-order, so alarm skipped
    // them and their transitions were lost.
    // 200 of one tag: a whole chunk (validate's batch.maxSize), more than the 100 samples shown as history.
    const chunk = Array.from({ length: 200 }, (_, i) => raw({ timestamp: t0 - 200_000 + i * 1000, value: 850 + (i % 2) }));
    const send = () => {
      for (const [i, s] of chunk.entries()) bed.publish('scada.telemetry.raw', s, { key: 'rtu-w01', id: `evt-${i}` });
    };
    send();
    await bed.drained();
    send(); // the whole chunk again
    await bed.drained();
    const out = bed.events<TelemetryValidated>('scada.telemetry.validated');
    const [first, again] = [out.slice(0, 200), out.slice(200)];
    expect(again.map((e) => `${e.id} ${e.data.status}:${e.data.flags.join(',')} ${e.data.receivedAt}`)).toEqual(
      first.map((e) => `${e.id} ${e.data.status}:${e.data.flags.join(',')} ${e.data.receivedAt}`),
    );
    expect(new Set(first.map((e) => e.data.flags.includes('out-of-order')))).toEqual(new Set([false]));
  });

  it('keeps a whole chunk more than the history it shows, so a redelivered chunk finds its verdicts', async () => {
    const { manifest } = await loadFunction('functions/validate');
    expect(historyKept - historyLength).toBeGreaterThanOrEqual(manifest.batch.maxSize);
  });

  it('gives the verdicts one replica would when two share the tags: what the other wrote is read again', async () => {
    // Two validate processes on one Redis (a rebalance, or a move between hosts): each keeps
    // the newest samples of a tag; without the history version, each would miss the other's
    // samples, and 30 identical values split between them would never look frozen.
    const other = await createTestBed({ functions: [await loadFunction('functions/validate')], redis, partitions: 1 });
    try {
      // The first 15 to one, the next 14 to the other, the 30th to the first again: it last wrote
      // the 15th, so only the history's version tells it of the 14 the other wrote since.
      for (let i = 0; i < 30; i++) {
        const target = i < 15 || i === 29 ? bed : other;
        target.publish('scada.telemetry.raw', raw({ value: 812.5, timestamp: t0 + i * 1000 }), { key: 'rtu-w01' });
        await target.drained();
      }
      const out = [
        ...bed.events<TelemetryValidated>('scada.telemetry.validated'),
        ...other.events<TelemetryValidated>('scada.telemetry.validated'),
      ]
        .map((e) => e.data)
        .sort((a, b) => a.timestamp - b.timestamp);
      expect(out.map((v) => v.flags.join(','))).toEqual([...Array.from({ length: 29 }, () => ''), 'frozen']);
    } finally {
      await other.stop();
    }
  });

  it('assesses the late samples of a chunk after its in-order ones, against the history they wrote', async () => {
    // One chunk: two in order, then one older than both (late), then a repeat of the newest.
    bed.publish('scada.telemetry.raw', raw({ value: 850, timestamp: t0 + 1000 }), { key: 'rtu-w01', id: 'a' });
    bed.publish('scada.telemetry.raw', raw({ value: 860, timestamp: t0 + 2000 }), { key: 'rtu-w01', id: 'b' });
    bed.publish('scada.telemetry.raw', raw({ value: 840, timestamp: t0 }), { key: 'rtu-w01', id: 'c' });
    bed.publish('scada.telemetry.raw', raw({ value: 860, timestamp: t0 + 2000 }), { key: 'rtu-w01', id: 'd' });
    await bed.drained();
    const out = bed.events<TelemetryValidated>('scada.telemetry.validated').map((e) => `${e.data.value} ${e.data.status}:${e.data.flags}`);
    expect(out).toEqual(['850 good:', '860 good:', '840 suspect:out-of-order']); // d: an exact duplicate of b, dropped
    const current = JSON.parse((await redis.hget('telemetry:norte-01:current', 'tubing_pressure')) ?? '{}');
    expect(current).toMatchObject({ value: 860, timestamp: t0 + 2000 });
    expect(await redis.zcard('telemetry:norte-01:history:tubing_pressure')).toBe(3);
  });

  it('works the same with no samples kept in the process (VALIDATE_RECENT_TAGS=0): every chunk reads its history', async () => {
    await bed.stop();
    process.env.VALIDATE_RECENT_TAGS = '0';
    try {
      bed = await createTestBed({ functions: [await loadFunction('functions/validate')], redis, partitions: 1 });
    } finally {
      delete process.env.VALIDATE_RECENT_TAGS;
    }
    const samples = Array.from({ length: 30 }, (_, i) => raw({ value: 812.5, timestamp: t0 + i * 1000 }));
    for (const s of samples) {
      bed.publish('scada.telemetry.raw', s, { key: s.deviceId });
      await bed.drained(); // one chunk each, so nothing is carried from one chunk to the next
    }
    const out = bed.events<TelemetryValidated>('scada.telemetry.validated').map((e) => e.data);
    expect(out[28]?.flags).toEqual([]);
    expect(out[29]?.flags).toEqual(['frozen']);
  });

  it('refuses a VALIDATE_RECENT_TAGS that is not a number of tags, naming it', async () => {
    process.env.VALIDATE_RECENT_TAGS = 'lots';
    try {
      await expect(createTestBed({ functions: [await loadFunction('functions/validate')], redis, partitions: 1 })).rejects.toThrow(
        /VALIDATE_RECENT_TAGS must be a whole number of tags, 0 or more \(got "lots"\)/,
      );
    } finally {
      delete process.env.VALIDATE_RECENT_TAGS;
    }
  });

  it('announces each current value on the well’s live channel', async () => {
    const subscriber = (redis as unknown as { duplicate(): Redis }).duplicate();
    const messages: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => messages.push(message));
    await subscriber.subscribe('live:well:norte-01');
    await validate(raw({ value: 861 }));
    await expect.poll(() => messages.length).toBe(1);
    expect(JSON.parse(messages[0] ?? '{}')).toMatchObject({
      type: 'telemetry:update',
      data: { wellId: 'norte-01', tagId: 'tubing_pressure', value: 861 },
    });
    subscriber.disconnect();
  });
});
