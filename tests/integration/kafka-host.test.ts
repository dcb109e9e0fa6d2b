import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { deadLetterHeader } from '../../runtime/dead-letter.ts';
import { fixtureFunction } from '../support/fixture-function.ts';
import { type FunctionProcess, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, until } from '../support/kafka.ts';

/**
 * The kafka host as a real process against the real broker and Redis: the recorder
 * fixture writes every delivery to Redis, so these tests count exactly what
 * happened to each event.
 */
const { kafkaBrokers, redisUrl } = inject('services');
let kafka: TestKafka;
let redis: Redis;
const processes: FunctionProcess[] = [];

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  redis = new Redis(redisUrl);
});
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
});
afterAll(async () => {
  await kafka.close();
  redis.disconnect();
});

function scenario(partitions = 3) {
  const id = randomUUID().slice(0, 8);
  const topic = `test.recorder-${id}.in`;
  const out = `test.recorder-${id}.out`;
  const run = `test:${id}`;
  const name = `recorder-${id}`;
  return {
    topic,
    out,
    run,
    name,
    partitions,
    async setup(manifest: Record<string, unknown> = {}) {
      await kafka.createTopics([topic, out, `${topic}.dlq`], partitions);
      return fixtureFunction('recorder', {
        name,
        subscribes: [topic],
        publishes: [out],
        needs: ['redis'],
        startFrom: 'earliest',
        ...manifest,
      });
    },
    async start(dir: string, replica = 'solo', extra: Record<string, string> = {}) {
      const proc = await startFunctionProcess({
        dir,
        name: `${name}-${replica}`,
        env: {
          FLOWLINE_HOST: 'kafka',
          KAFKA_BROKERS: kafkaBrokers,
          REDIS_URL: redisUrl,
          FIXTURE_TOPIC: topic,
          FIXTURE_OUT: out,
          FIXTURE_RUN: run,
          FIXTURE_REPLICA: replica,
          ...extra,
        },
      });
      processes.push(proc);
      await proc.ready();
      return proc;
    },
    counts: async () => {
      const raw = await redis.hgetall(`${run}:count`);
      return new Map(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
    },
    order: async (key: string) => (await redis.lrange(`${run}:order:${key}`, 0, -1)).map(Number),
  };
}

describe('kafka host', () => {
  it('dead-letters a poison message with its reason while its partition keeps flowing, in order per key', async () => {
    const s = scenario(3);
    const dir = await s.setup({ retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 } });
    const items = Array.from({ length: 90 }, (_, i) => ({
      key: `dev-${i % 6}`,
      data: { key: `dev-${i % 6}`, seq: Math.floor(i / 6), ...(i === 31 ? { action: 'poison' } : i === 40 ? { action: 'flaky' } : {}) },
    }));
    const ids = await kafka.produce(s.topic, items);
    await s.start(dir);

    const counts = await until(async () => {
      const c = await s.counts();
      return c.size === 89 ? c : undefined;
    }, 'the 89 good events');
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.has(ids[31] as string)).toBe(false);

    // Order per key holds, the poison pill (dev-1, seq 5) is skipped, not blocking what follows.
    for (let k = 0; k < 6; k++) {
      const expected = Array.from({ length: 15 }, (_, seq) => seq).filter((seq) => !(k === 1 && seq === 5));
      expect(await s.order(`dev-${k}`)).toEqual(expected);
    }
    const [letter] = await kafka.readAll(`${s.topic}.dlq`, 1);
    expect(letter?.headers[deadLetterHeader.reason]).toBe('PermanentError: poison pill at dev-1/5');
    expect(letter?.headers[deadLetterHeader.cause]).toBe('permanent');
    expect(letter?.headers[deadLetterHeader.function]).toBe(s.name);
    expect(JSON.parse(letter?.value ?? '{}').id).toBe(ids[31]);

    // Every handled event was republished, keyed like its input.
    const published = await kafka.readAll(s.out, 89);
    expect(new Set(published.map((m) => m.key))).toEqual(new Set(items.map((i) => i.key)));
  });

  it('loses nothing when a consumer is killed mid-batch, and repeats only uncommitted work', async () => {
    const s = scenario(3);
    const dir = await s.setup({ batch: { maxSize: 20 }, concurrency: 4 });
    const items = Array.from({ length: 300 }, (_, i) => ({
      key: `dev-${i % 12}`,
      data: { key: `dev-${i % 12}`, seq: Math.floor(i / 12) },
    }));
    const ids = await kafka.produce(s.topic, items);
    // A short session timeout, so the group notices the dead member quickly.
    const first = await s.start(dir, 'first', { FIXTURE_DELAY_MS: '15', KAFKA_SESSION_TIMEOUT_MS: '8000' });
    await until(async () => ((await s.counts()).size >= 100 ? true : undefined), '100 events handled before the kill');
    await first.kill();
    const committedAtKill = await kafka.committed(s.name, s.topic);

    await s.start(dir, 'second');
    const counts = await until(async () => {
      const c = await s.counts();
      return c.size === 300 ? c : undefined;
    }, 'all 300 events handled after the restart');

    // Nothing lost: every event handled at least once.
    expect(ids.every((id) => (counts.get(id) ?? 0) >= 1)).toBe(true);
    // Only uncommitted work repeated: every event handled twice sits at or after the offset committed when the first process died.
    const positions = new Map((await kafka.readAll(s.topic, 300)).map((m) => [JSON.parse(m.value).id as string, m] as const));
    const repeated = ids.filter((id) => (counts.get(id) ?? 0) > 1);
    for (const id of repeated) {
      const at = positions.get(id);
      expect(at, `position of ${id}`).toBeDefined();
      expect(at?.offset).toBeGreaterThanOrEqual(committedAtKill.get(at?.partition ?? -1) ?? 0);
    }
    expect(repeated.length).toBeLessThan(300 - 100); // the committed part was not redone
  });

  it('shares the partitions with a second replica that joins, losing nothing in the rebalance', async () => {
    const s = scenario(6);
    const dir = await s.setup({ batch: { maxSize: 10 } });
    const first = await s.start(dir, 'a', { FIXTURE_DELAY_MS: '5' });
    const items = (from: number, count: number) =>
      Array.from({ length: count }, (_, j) => ({ key: `dev-${(from + j) % 12}`, data: { key: `dev-${(from + j) % 12}`, seq: from + j } }));
    const ids = await kafka.produce(s.topic, items(0, 200));
    await until(async () => ((await s.counts()).size >= 50 ? true : undefined), 'replica a at work');

    await s.start(dir, 'b', { FIXTURE_DELAY_MS: '5' });
    ids.push(...(await kafka.produce(s.topic, items(200, 400))));
    const counts = await until(
      async () => {
        const c = await s.counts();
        return c.size === 600 ? c : undefined;
      },
      'all 600 events handled',
      90_000,
    );

    expect(ids.every((id) => (counts.get(id) ?? 0) >= 1)).toBe(true);
    const byA = await redis.scard(`${s.run}:replica:a`);
    const byB = await redis.scard(`${s.run}:replica:b`);
    expect(byB).toBeGreaterThan(0); // b took over partitions
    expect(byA + byB).toBeGreaterThanOrEqual(600);
    // Per-key order: the first handling of each seq happens in order.
    for (let k = 0; k < 12; k++) {
      const seen = new Set<number>();
      const firsts = (await s.order(`dev-${k}`)).filter((seq) => !seen.has(seq) && seen.add(seq));
      expect(firsts).toEqual([...firsts].sort((x, y) => x - y));
    }
    expect(await first.stop()).toBe(0);
  });

  it('on SIGTERM finishes in-flight work, commits it and exits 0, so a restart repeats nothing', async () => {
    const s = scenario(3);
    const dir = await s.setup({ batch: { maxSize: 25 } });
    const items = Array.from({ length: 150 }, (_, i) => ({ key: `dev-${i % 5}`, data: { key: `dev-${i % 5}`, seq: i } }));
    const ids = await kafka.produce(s.topic, items);
    const first = await s.start(dir, 'first', { FIXTURE_DELAY_MS: '10' });
    await until(async () => ((await s.counts()).size >= 40 ? true : undefined), 'work under way');
    expect(await first.stop()).toBe(0);

    const handledBeforeStop = (await s.counts()).size;
    const committed = [...(await kafka.committed(s.name, s.topic)).values()].reduce((a, b) => a + Math.max(0, b), 0);
    expect(committed).toBe(handledBeforeStop); // everything handled was committed, nothing more

    await s.start(dir, 'second');
    const counts = await until(async () => {
      const c = await s.counts();
      return c.size === 150 ? c : undefined;
    }, 'the rest handled');
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]); // no event handled twice
  });

  it('keeps its partitions through a batch that outlasts the session timeout, by heartbeating while it works', async () => {
    const s = scenario(1);
    // One chunk of 4 events at 3 s each takes 12 s; the session timeout is 8 s.
    const dir = await s.setup({ batch: { maxSize: 4 }, concurrency: 1 });
    const items = Array.from({ length: 8 }, (_, i) => ({ key: 'dev-0', data: { key: 'dev-0', seq: i } }));
    const ids = await kafka.produce(s.topic, items);
    const proc = await s.start(dir, 'slow', { FIXTURE_DELAY_MS: '3000', KAFKA_SESSION_TIMEOUT_MS: '8000' });
    const counts = await until(
      async () => {
        const c = await s.counts();
        return c.size === 8 ? c : undefined;
      },
      'the 8 slow events',
      90_000,
    );
    expect(ids.map((id) => counts.get(id))).toEqual(Array(8).fill(1)); // no rebalance, so nothing handled twice
    const joins = (await import('node:fs'))
      .readFileSync(proc.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('joined consumer group'));
    expect(joins).toHaveLength(1);
  });
  it('abandons a long chunk, uncommitted, when a heartbeat is rejected by a rebalance, so the group is not held up and nothing is lost', async () => {
    const s = scenario(1);
    // One chunk of 4 events at 3 s each: 12 s of work on the only partition.
    const dir = await s.setup({ batch: { maxSize: 4 }, concurrency: 1 });
    const items = Array.from({ length: 8 }, (_, i) => ({ key: 'dev-0', data: { key: 'dev-0', seq: i } }));
    const ids = await kafka.produce(s.topic, items);
    const env = { FIXTURE_DELAY_MS: '3000', KAFKA_SESSION_TIMEOUT_MS: '8000' };
    const a = await s.start(dir, 'a', env);
    await until(async () => ((await s.counts()).size >= 1 ? true : undefined), 'replica a in its first chunk');
    await s.start(dir, 'b', env); // joins: the group rebalances while a is mid-chunk
    const counts = await until(
      async () => {
        const c = await s.counts();
        return ids.every((id) => (c.get(id) ?? 0) >= 1) ? c : undefined;
      },
      'all 8 events handled',
      90_000,
    );
    expect(ids.filter((id) => !counts.get(id))).toEqual([]);
    const log = (await import('node:fs')).readFileSync(a.logFile, 'utf8');
    expect(log).toContain('heartbeat rejected: the group is rebalancing; abandoning this chunk uncommitted');
  });
});
