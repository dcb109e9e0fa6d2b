import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { killKafka, type LinkListener, startKafka, stopKafka } from '../../local-dev/services/kafka.ts';
import { stateDir } from '../../local-dev/services/paths.ts';
import { startPostgres, stopPostgres } from '../../local-dev/services/postgres.ts';
import { envPort } from '../../local-dev/services/process.ts';
import { freePort } from '../support/function-process.ts';
import { OwnRedis } from '../support/own-redis.ts';

/**
 * A service of one fault file's own, for a case that stops or kills it: the suite's files
 * run side by side, and the shared broker and PostgreSQL must stay up for the others.
 * Ports are the suite's base (FLOWLINE_FAULTS_KAFKA_PORT, FLOWLINE_FAULTS_POSTGRES_PORT)
 * plus a fixed offset per file, so two files never meet.
 */
export interface OwnKafka {
  readonly brokers: string;
  readonly instance: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** SIGKILL: no clean shutdown, the data directory as the crash left it. */
  kill(): void;
}

export function ownKafka(name: string, offset: number, link?: LinkListener): OwnKafka {
  const port = envPort('FLOWLINE_FAULTS_KAFKA_PORT', 19292) + offset;
  const instance = `faults-${name}`;
  return {
    brokers: `127.0.0.1:${port}`,
    instance,
    async start() {
      await startKafka({ instance, port, ...(link ? { link } : {}) });
    },
    async stop() {
      await stopKafka({ instance });
    },
    kill: () => killKafka({ instance }),
  };
}

export interface OwnPostgres {
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function ownPostgres(name: string, offset: number): OwnPostgres {
  const port = envPort('FLOWLINE_FAULTS_POSTGRES_PORT', 15532) + offset;
  const dir = join(stateDir, `faults-${name}`);
  return {
    url: `postgres://flowline@127.0.0.1:${port}/flowline`,
    async start() {
      await startPostgres({ port, stateDir: dir });
    },
    async stop() {
      await stopPostgres({ stateDir: dir });
    },
  };
}

/**
 * A broker, a Redis and (with a `postgres` offset) a PostgreSQL of the calling file's own,
 * started before its tests and stopped after them. Call at the top level of the file.
 */
export function ownServices(name: string, offsets: { kafka: number; postgres?: number }) {
  const kafka = ownKafka(name, offsets.kafka);
  const postgres = offsets.postgres === undefined ? undefined : ownPostgres(name, offsets.postgres);
  let redis: OwnRedis | undefined;
  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await Promise.all([redis.start(), kafka.start(), postgres?.start()]);
  }, 300_000);
  afterAll(async () => {
    await redis?.kill();
    await Promise.all([kafka.stop(), postgres?.stop()]);
  }, 120_000);
  return {
    kafka,
    postgres,
    get redis(): OwnRedis {
      if (!redis) throw new Error('the own Redis starts in beforeAll: use it inside a test');
      return redis;
    },
  };
}
