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
  /** For the HTTP fuzz case: what schemathesis sent one role's credentials and what came back (the counts above are 0 there). */
  http?: HttpFuzzCounts;
}

export interface HttpFuzzCounts {
  role: string;
  operations: number;
  cases: number;
  serverErrors: number;
  /** Checks that broke: undocumented statuses or bodies, schema-valid requests refused, 404 for 405… */
  failures: number;
  /** Answers carrying the other tenant's seeded ids. */
  foreignReads: number;
}

export const faultsJournal = join(repoRoot, 'test-results', 'faults.jsonl');

export function recordCase(result: FaultCase): void {
  mkdirSync(dirname(faultsJournal), { recursive: true });
  appendFileSync(faultsJournal, `${JSON.stringify(result)}\n`);
}

export function faultsTable(all: readonly FaultCase[]): string {
  const cases = all.filter((c) => !c.http);
  const fuzzed = all.flatMap((c) => (c.http ? [{ ...c.http, fault: c.fault }] : []));
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
    ...(cases.length === 0 && fuzzed.length > 0
      ? []
      : [
          '| case | fault | sent | stored | lost | alarm transitions stored | duplicates | absorbed by idempotency | dead letters | recovery |',
          '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
          ...rows,
          '',
        ]),
    ...(fuzzed.length === 0
      ? []
      : [
          `HTTP fuzz (\`npm run test:fuzz\`): ${fuzzed[0]?.fault}`,
          '',
          '| role | operations | cases | 5xx | failures | reads of the other tenant |',
          '| --- | ---: | ---: | ---: | ---: | ---: |',
          ...fuzzed.map((h) => `| ${h.role} | ${h.operations} | ${h.cases} | ${h.serverErrors} | ${h.failures} | ${h.foreignReads} |`),
          '',
        ]),
  ].join('\n');
}
