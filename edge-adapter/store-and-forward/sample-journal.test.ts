import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import { journalTestBed } from './journal-test-bed.ts';
import { openSampleJournal } from './sample-journal.ts';

const { open, tempDir, lastDir } = journalTestBed({ maxSamples: 1000, whenFull: 'drop-oldest', sync: 'normal' });

const sample = (i: number, deviceId = 'plc-1'): TelemetryRaw => ({
  timestamp: 1_700_000_000_000 + i,
  deviceId,
  tagId: `t${i % 3}`,
  value: i + 0.5,
  quality: 192,
  sourceProtocol: 'MODBUS',
});
const range = (from: number, to: number, deviceId?: string) => Array.from({ length: to - from }, (_, k) => sample(from + k, deviceId));

describe('sample journal', () => {
  it('hands samples back in the order they were appended, until acknowledged', () => {
    const journal = open();
    journal.appendSamples(range(0, 5));
    journal.appendSamples(range(5, 8, 'plc-2'));
    const first = journal.peekSamples(6);
    expect(first.map((r) => r.sample)).toEqual([...range(0, 5), ...range(5, 6, 'plc-2')]);
    journal.release();
    expect(journal.peekSamples(6)).toEqual(first); // a failed send sees the same rows again
    journal.acknowledgeSamples(first.at(-1)?.seq ?? 0);
    expect(journal.depth).toBe(2);
    expect(journal.peekSamples(10).map((r) => r.sample)).toEqual(range(6, 8, 'plc-2'));
  });

  it('survives being closed and reopened, counters included', () => {
    const path = join(tempDir(), 'nested', 'buffer.sqlite');
    const first = openSampleJournal({ path, maxSamples: 1000, whenFull: 'drop-newest', sync: 'full' });
    first.appendSamples(range(0, 1005));
    first.appendEvent({ topic: 'system.audit-log', key: 'plc-1', id: 'a-1', time: 5, data: { x: 1 } });
    expect(first.dropped).toBe(5);
    first.close();
    const second = open({ whenFull: 'drop-newest', sync: 'full' }, path);
    expect(second.depth).toBe(1000);
    expect(second.dropped).toBe(5);
    expect(second.peekSamples(2).map((r) => r.sample)).toEqual(range(0, 2));
    expect(second.peekEvents(5)).toEqual([{ seq: 1, topic: 'system.audit-log', key: 'plc-1', id: 'a-1', time: 5, data: { x: 1 } }]);
  });

  it('drop-oldest evicts the oldest samples past the bound and counts them', () => {
    const journal = open({ maxSamples: 1000, whenFull: 'drop-oldest' });
    expect(journal.appendSamples(range(0, 900))).toEqual({ stored: 900, compacted: 0, dropped: 0 });
    expect(journal.appendSamples(range(900, 1200))).toEqual({ stored: 300, compacted: 0, dropped: 200 });
    expect(journal.depth).toBe(1000);
    expect(journal.dropped).toBe(200);
    expect(journal.peekSamples(1)[0]?.sample).toEqual(sample(200));
  });

  it('drop-newest refuses what does not fit and counts it', () => {
    const journal = open({ maxSamples: 1000, whenFull: 'drop-newest' });
    expect(journal.appendSamples(range(0, 1200))).toEqual({ stored: 1000, compacted: 0, dropped: 200 });
    expect(journal.appendSamples(range(1200, 1201))).toEqual({ stored: 0, compacted: 0, dropped: 1 });
    expect(journal.peekSamples(2000).at(-1)?.sample).toEqual(sample(999));
  });

  it('never evicts samples that are being sent', () => {
    const journal = open({ maxSamples: 1000, whenFull: 'drop-oldest' });
    journal.appendSamples(range(0, 1000));
    const inFlight = journal.peekSamples(100);
    journal.appendSamples(range(1000, 1050));
    // The 50 evicted are the oldest not in flight: 100–149.
    expect(journal.dropped).toBe(50);
    journal.acknowledgeSamples(inFlight.at(-1)?.seq ?? 0);
    expect(journal.peekSamples(1)[0]?.sample).toEqual(sample(150));
    expect(journal.depth).toBe(900);
  });

  it('refuses a second adapter on the same buffer file', () => {
    const journal = open();
    const path = join(lastDir(), 'buffer.sqlite');
    journal.appendSamples(range(0, 1));
    expect(() => openSampleJournal({ path, maxSamples: 1000, whenFull: 'drop-oldest', sync: 'normal' })).toThrow(
      /in use by another edge adapter/,
    );
  });

  it('records a decided command and its answers together', () => {
    const journal = open();
    expect(journal.hasHandledCommand('c-1')).toBe(false);
    journal.recordCommand('c-1', 1, [
      { topic: 'scada.commands.results', key: 'esp-vfd', id: 'r-1', time: 1, data: { status: 'applied' } },
      { topic: 'system.audit-log', key: 'esp-vfd', id: 'a-1', time: 1, data: { outcome: 'success' } },
    ]);
    expect(journal.hasHandledCommand('c-1')).toBe(true);
    expect(journal.peekEvents(10).map((e) => e.id)).toEqual(['r-1', 'a-1']);
  });
});
