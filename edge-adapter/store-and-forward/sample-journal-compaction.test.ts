import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CompactedMinute, minuteOf } from '../../contracts/compacted-minute.ts';
import { Quality } from '../../contracts/quality.ts';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import { journalTestBed } from './journal-test-bed.ts';
import { compactMinutes } from './minute-compaction.ts';
import type { SampleJournal } from './sample-journal.ts';

const { open, tempDir } = journalTestBed({ maxSamples: 1000, whenFull: 'compact', maxMinutes: 100_000, sync: 'normal' });

const T0 = 1_700_000_040_000; // a minute boundary
const TAGS = 4;
// Four tags of one device, each read every second: 240 samples a minute.
const sample = (i: number): TelemetryRaw => ({
  timestamp: T0 + Math.floor(i / TAGS) * 1_000,
  deviceId: 'rtu-1',
  tagId: `t${i % TAGS}`,
  value: (i * 7919) % 1000,
  quality: i % 97 === 0 ? Quality.BAD_COMM_FAILURE : i % 13 === 0 ? Quality.UNCERTAIN : Quality.GOOD,
  sourceProtocol: 'MODBUS',
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => sample(from + k));
const appendInBatches = (journal: SampleJournal, from: number, to: number, batch = 50) => {
  for (let i = from; i < to; i += batch) journal.appendSamples(range(i, Math.min(to, i + batch)));
};

/** What compacting these samples in one pass gives, per tag and minute, as the contract carries it. */
function expectedMinutes(samples: TelemetryRaw[]): Map<string, Omit<CompactedMinute, 'firstTimestamp' | 'lastTimestamp'>> {
  const seriesOf = new Map<string, number>();
  const rows = samples.map((s, seq) => {
    const series = seriesOf.get(s.tagId) ?? seriesOf.set(s.tagId, seriesOf.size).size - 1;
    return { seq, series, ts: s.timestamp, value: s.value, quality: s.quality };
  });
  const tagOf = [...seriesOf.keys()];
  return new Map(
    compactMinutes(rows).map((p) => [
      `${tagOf[p.series]}@${minuteOf(p.firstTs)}`,
      {
        deviceId: 'rtu-1',
        tagId: String(tagOf[p.series]),
        sourceProtocol: 'MODBUS',
        count: p.count,
        min: p.min,
        max: p.max,
        sum: p.sum,
        last: p.last,
        worstQuality: p.worstQuality,
      },
    ]),
  );
}

/** The journal's pieces added up per tag and minute. */
function minutesIn(journal: SampleJournal) {
  const out = new Map<string, Omit<CompactedMinute, 'firstTimestamp' | 'lastTimestamp'> & { lastTimestamp: number }>();
  for (const { minute: m } of journal.peekMinutes(1_000_000)) {
    const key = `${m.tagId}@${minuteOf(m.firstTimestamp)}`;
    const had = out.get(key);
    const { firstTimestamp: _, ...piece } = m;
    if (!had) {
      out.set(key, piece);
      continue;
    }
    const later = m.lastTimestamp >= had.lastTimestamp;
    out.set(key, {
      ...had,
      count: had.count + m.count,
      min: Math.min(had.min, m.min),
      max: Math.max(had.max, m.max),
      sum: had.sum + m.sum,
      last: later ? m.last : had.last,
      lastTimestamp: Math.max(had.lastTimestamp, m.lastTimestamp),
      worstQuality: Math.min(had.worstQuality, m.worstQuality), // bad < uncertain < good holds for these bytes
    });
  }
  journal.release();
  return out;
}

describe('sample journal, compact policy', () => {
  it('past the bound compacts the oldest samples into minutes, losing none, and keeps the newest raw', () => {
    const journal = open();
    appendInBatches(journal, 0, 3_500);
    expect(journal.dropped).toBe(0);
    expect(journal.depth).toBeLessThanOrEqual(1000);
    expect(journal.compacted + journal.depth).toBe(3_500);
    // The raw samples left are exactly the newest ones, in the order read.
    expect(journal.peekSamples(2000).map((r) => r.sample)).toEqual(range(journal.compacted, 3_500));
    journal.release();
    // Every tag-minute of what was compacted is there, and adds up to what one pass would give.
    const got = minutesIn(journal);
    const want = expectedMinutes(range(0, journal.compacted));
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    // A minute that straddles two passes is still one piece: as many pieces as tag-minutes.
    expect(journal.pendingMinutes).toBe(want.size);
    for (const [key, minute] of want) {
      const { sum, lastTimestamp: _, ...rest } = got.get(key) ?? { sum: Number.NaN, lastTimestamp: 0 };
      expect({ ...rest, sum: 0 }).toEqual({ ...minute, sum: 0 });
      expect(sum).toBeCloseTo(minute.sum, 6);
    }
    // Minutes leave in the order their samples were read: first timestamps never go back.
    const firsts = journal.peekMinutes(1_000_000).map((r) => minuteOf(r.minute.firstTimestamp));
    expect(firsts).toEqual(firsts.toSorted((a, b) => a - b));
  });

  it('is idempotent: a pass with nothing over the bound, or a reopen, changes nothing', () => {
    const dir = tempDir();
    const path = join(dir, 'buffer.sqlite');
    const first = open({}, path);
    appendInBatches(first, 0, 2_000);
    const before = { depth: first.depth, compacted: first.compacted, minutes: first.peekMinutes(100_000) };
    first.release();
    expect(first.appendSamples([])).toEqual({ stored: 0, compacted: 0, dropped: 0 });
    first.close();
    const second = open({}, path);
    expect({ depth: second.depth, compacted: second.compacted, minutes: second.peekMinutes(100_000) }).toEqual(before);
  });

  it('never compacts samples being sent', () => {
    const journal = open();
    journal.appendSamples(range(0, 1000));
    const inFlight = journal.peekSamples(300);
    journal.appendSamples(range(1000, 1001));
    // The oldest not in flight went: the hundredth of the bound past the 300 being sent.
    expect(journal.compacted).toBe(10);
    journal.acknowledgeSamples(inFlight.at(-1)?.seq ?? 0);
    expect(journal.peekSamples(1)[0]?.sample).toEqual(sample(310));
    expect(journal.depth).toBe(691);
  });

  it('never changes a minute once handed to the sink, even after a failed send', () => {
    const journal = open();
    appendInBatches(journal, 0, 1_100); // 100 past the bound: the first 100 samples, in minute 0
    const sent = journal.peekMinutes(100);
    expect(sent.map((r) => r.minute.count)).toEqual([25, 25, 25, 25]);
    journal.release(); // the send failed: the pieces may still be in Kafka under their ids
    appendInBatches(journal, 1_100, 1_150); // the next pass reaches into minute 0 again
    const after = journal.peekMinutes(100);
    expect(after.slice(0, 4)).toEqual(sent);
    // The rest of minute 0 is a piece of its own per tag; the counts still add up.
    const minute0 = after.filter((r) => minuteOf(r.minute.firstTimestamp) === T0);
    expect(minute0.length).toBe(8);
    expect(minute0.reduce((n, r) => n + r.minute.count, 0)).toBe(Math.min(240, journal.compacted));
  });

  it('past the second bound drops the oldest minutes and counts their samples', () => {
    const journal = open({ maxMinutes: 20 });
    appendInBatches(journal, 0, 12_000);
    expect(journal.pendingMinutes).toBeLessThanOrEqual(20);
    const kept = journal.peekMinutes(100).reduce((n, r) => n + r.minute.count, 0);
    expect(journal.dropped + kept + journal.depth).toBe(12_000);
    expect(journal.dropped).toBeGreaterThan(0);
    // What was dropped is the oldest: the first minute kept starts where the dropped ones end.
    const oldestKept = journal.oldestTimestamp() ?? 0;
    expect(range(0, 12_000).filter((s) => s.timestamp < minuteOf(oldestKept)).length).toBeLessThanOrEqual(journal.dropped);
  });
});
