/**
 * A process that writes to a journal until it is killed: node journal-writer.fixture.ts <path>.
 * After each committed batch it prints how many samples it has appended in total, so the
 * test that SIGKILLs it knows what the file must hold. Used by journal-recovery.test.ts.
 */
import { writeSync } from 'node:fs';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import { openSampleJournal } from './sample-journal.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: journal-writer.fixture.ts <buffer path>');
// A small bound: the writer compacts every few batches, so a kill lands inside compactions too.
const journal = openSampleJournal({ path, maxSamples: 1000, whenFull: 'compact', maxMinutes: 1_000_000, sync: 'full' });

const writerSample = (i: number): TelemetryRaw => ({
  timestamp: 1_700_000_040_000 + i * 250,
  deviceId: 'rtu-1',
  tagId: `t${i % 4}`,
  value: i,
  quality: 192,
  sourceProtocol: 'MODBUS',
});

let appended = 0;
for (;;) {
  journal.appendSamples(Array.from({ length: 100 }, (_, k) => writerSample(appended + k)));
  appended += 100;
  // Synchronous, so the number is out before the next batch starts (stdout may be a pipe).
  writeSync(1, `${appended}\n`);
}
