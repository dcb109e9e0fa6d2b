import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../local-dev/services/paths.ts';

/** What one fault case counted, exactly. */
export interface FaultCase {
  name: string;
  fault: string;
  sent: number;
  stored: number;
  lost: number;
  /** Rows a redelivery offered again, absorbed by idempotency (not duplicates: none was stored twice). */
  absorbed: number;
  duplicates: number;
  /** Alarm transitions the samples called for, and those stored (none for a case without the wave). */
  alarms?: { expected: number; stored: number };
  deadLetters: Record<string, number>;
  /** From the dependency's return to the moment everything sent before it was stored; none for a fault without an end. */
  recoveryMs?: number;
  notes?: string;
}

export const faultsJournal = join(repoRoot, 'test-results', 'faults.jsonl');

export function recordCase(result: FaultCase): void {
  mkdirSync(dirname(faultsJournal), { recursive: true });
  appendFileSync(faultsJournal, `${JSON.stringify(result)}\n`);
}

export function faultsTable(cases: readonly FaultCase[]): string {
  const letters = (c: FaultCase) =>
    Object.entries(c.deadLetters)
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ') || '0';
  const rows = cases.map(
    (c) =>
      `| ${c.name} | ${c.fault} | ${c.sent} | ${c.stored} | ${c.lost} | ${c.alarms ? `${c.alarms.stored} of ${c.alarms.expected}` : '–'} | ${c.duplicates} | ${c.absorbed} | ${letters(c)} | ${c.recoveryMs === undefined ? '–' : `${(c.recoveryMs / 1000).toFixed(1)} s`} |`,
  );
  return [
    `Fault suite, ${new Date().toISOString().slice(0, 19)}Z (\`npm run test:faults\`)`,
    '',
    '| case | fault | sent | stored | lost | alarm transitions stored | duplicates | absorbed by idempotency | dead letters | recovery |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    ...rows,
    '',
  ].join('\n');
}
