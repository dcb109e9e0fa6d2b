import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type JournalOptions, openSampleJournal, type SampleJournal } from './sample-journal.ts';

/**
 * Journals for the journal's tests: each in a fresh temporary folder, closed and removed
 * after each test. Call once at the top of a test file, with that file's default options.
 */
export function journalTestBed(defaults: Omit<JournalOptions, 'path'>) {
  const dirs: string[] = [];
  const journals: SampleJournal[] = [];
  afterEach(() => {
    for (const j of journals.splice(0)) j.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-journal-'));
    dirs.push(dir);
    return dir;
  };
  const open = (options: Partial<JournalOptions> = {}, path?: string) => {
    const journal = openSampleJournal({ path: path ?? join(tempDir(), 'buffer.sqlite'), ...defaults, ...options } as JournalOptions);
    journals.push(journal);
    return journal;
  };
  return { open, tempDir, lastDir: () => dirs.at(-1) as string };
}
