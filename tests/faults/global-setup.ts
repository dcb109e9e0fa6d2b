import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { installDaprd } from '../../local-dev/services/daprd.ts';
import { startKafka, stopKafka } from '../../local-dev/services/kafka.ts';
import { repoRoot, stateDir } from '../../local-dev/services/paths.ts';
import { startPostgres, stopPostgres } from '../../local-dev/services/postgres.ts';
import { envPort } from '../../local-dev/services/process.ts';
import { StartedServices } from '../../local-dev/services/started.ts';
import { type FaultCase, faultsJournal, faultsTable } from './journal.ts';

export interface FaultServices {
  kafkaBrokers: string;
  databaseUrl: string;
  /** The PostgreSQL cluster's state dir: a case stops and starts it (startPostgres / stopPostgres). */
  postgresStateDir: string;
  postgresPort: number;
  daprd: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    faults: FaultServices;
  }
}

/**
 * The fault suite's own services, apart from the rest of the tests' (it stops and kills
 * them): a Kafka broker and a PostgreSQL cluster of its own; each case brings its own
 * Redis. The cases append their counts to test-results/faults.jsonl; the teardown
 * writes the table to test-results/faults.md.
 */
export default async function setup(project: TestProject) {
  const started = new StartedServices();
  rmSync(faultsJournal, { force: true });
  const postgresStateDir = join(stateDir, 'faults');
  const postgresPort = envPort('FLOWLINE_FAULTS_POSTGRES_PORT', 15532);
  try {
    const kafka = await started.use(startKafka({ instance: 'faults', port: envPort('FLOWLINE_FAULTS_KAFKA_PORT', 19292) }), () =>
      stopKafka({ instance: 'faults' }),
    );
    const postgres = await started.use(startPostgres({ port: postgresPort, stateDir: postgresStateDir }), () =>
      stopPostgres({ stateDir: postgresStateDir }),
    );
    project.provide('faults', {
      kafkaBrokers: kafka.brokers,
      databaseUrl: postgres.url,
      postgresStateDir,
      postgresPort,
      daprd: installDaprd(),
    });
  } catch (error) {
    await started.stopAll();
    throw error;
  }
  return async () => {
    if (existsSync(faultsJournal)) {
      const cases = readFileSync(faultsJournal, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as FaultCase);
      mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
      writeFileSync(join(repoRoot, 'test-results', 'faults.md'), faultsTable(cases));
    }
    if (process.env.FLOWLINE_KEEP_SERVICES !== '1') await started.stopAll();
    // The cases stop PostgreSQL themselves; make sure it is down whatever happened.
    await stopPostgres({ stateDir: postgresStateDir });
  };
}
