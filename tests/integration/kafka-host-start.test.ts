import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { AssignerProtocol, type Consumer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { fixtureFunction } from '../support/fixture-function.ts';
import { type FunctionProcess, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, until } from '../support/kafka.ts';

/**
 * How a kafka-host process starts: where a new consumer group begins, and what happens
 * when the group will not have it. Counted with the recorder fixture (every delivery in Redis).
 */
const { kafkaBrokers, redisUrl } = inject('services');
let kafka: TestKafka;
let redis: Redis;
const processes: FunctionProcess[] = [];
const consumers: Consumer[] = [];

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  redis = new Redis(redisUrl);
});
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
  await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
});
afterAll(async () => {
  await kafka.close();
  redis.disconnect();
});

async function recorder() {
  const id = randomUUID().slice(0, 8);
  const topic = `test.start-${id}.in`;
  const name = `start-${id}`;
  const run = `test:${id}`;
  await kafka.createTopics([topic, `${topic}.dlq`], 3);
  // No startFrom: what every function gets unless its manifest says otherwise.
  const dir = fixtureFunction('recorder', { name, subscribes: [topic], needs: ['redis'] });
  const start = () => {
    const proc = startFunctionProcess({
      dir,
      name,
      env: { FLOWLINE_HOST: 'kafka', KAFKA_BROKERS: kafkaBrokers, REDIS_URL: redisUrl, FIXTURE_TOPIC: topic, FIXTURE_RUN: run },
    });
    return proc.then((p) => {
      processes.push(p);
      return p;
    });
  };
  const items = (from: number, count: number) =>
    Array.from({ length: count }, (_, j) => ({ key: `dev-${(from + j) % 4}`, data: { key: `dev-${(from + j) % 4}`, seq: from + j } }));
  const counts = async () => new Map(Object.entries(await redis.hgetall(`${run}:count`)).map(([k, v]) => [k, Number(v)]));
  return { topic, name, start, items, counts };
}

describe('kafka host start-up', () => {
  it('starts a new consumer group at the earliest offset: nothing produced before its first join is lost', async () => {
    const r = await recorder();
    // The edge is already publishing when the function is first deployed.
    const ids = await kafka.produce(r.topic, r.items(0, 60));
    const proc = await r.start();
    let next = 60;
    let joined = false;
    const ready = proc.ready().then(() => {
      joined = true;
    });
    while (!joined) {
      ids.push(...(await kafka.produce(r.topic, r.items(next, 5))));
      next += 5;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await ready;
    ids.push(...(await kafka.produce(r.topic, r.items(next, 20))));

    const counts = await until(async () => {
      const c = await r.counts();
      return c.size >= ids.length ? c : undefined;
    }, `all ${ids.length} events`);
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
  });

  it("dead-letters poison with its reason and keeps the original message's own headers", async () => {
    const r = await recorder();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await kafka.producer.send({
      topic: r.topic,
      messages: [{ key: 'dev-0', value: '{not json', headers: { traceparent, 'x-producer': 'edge-pad-7' } }],
    });
    const proc = await r.start();
    await proc.ready();
    const [letter] = await kafka.readAll(`${r.topic}.dlq`, 1);
    expect(letter?.value).toBe('{not json');
    expect(letter?.headers).toMatchObject({ traceparent, 'x-producer': 'edge-pad-7', 'flowline-error-cause': 'undecodable' });
  });

  it('shuts down cleanly, with the reason, when the group refuses it (another member speaks another assignment protocol)', async () => {
    const r = await recorder();
    // A member that supports none of the kafka host's assignment protocols holds the group.
    const squatter = kafka.kafka.consumer({
      groupId: r.name,
      partitionAssigners: [
        () => ({
          name: 'another-protocol',
          version: 0,
          async assign({ members }) {
            return members.map((m) => ({
              memberId: m.memberId,
              memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: {}, userData: Buffer.alloc(0) }),
            }));
          },
          protocol({ topics }) {
            return {
              name: 'another-protocol',
              metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
            };
          },
        }),
      ],
    });
    consumers.push(squatter);
    const squatterJoined = new Promise((resolve) => squatter.on(squatter.events.GROUP_JOIN, resolve));
    await squatter.connect();
    await squatter.subscribe({ topic: r.topic });
    await squatter.run({ eachMessage: async () => {} });
    await squatterJoined;

    const proc = await r.start();
    const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
    const log = readFileSync(proc.logFile, 'utf8');
    expect(code).toBe(1);
    expect(log).not.toContain('ReferenceError');
    expect(log).toMatch(/shutting down/);
    expect(log).toContain(`consumer of ${r.name} crashed for good`);
    expect(log).toContain('incompatible with those of existing members');
  });

  it('starts every function of a first install at once, on topics none of them has created yet', async () => {
    // Found by the fault suite: two processes creating the same topics raced, and the loser
    // died in start-up ("This server does not host this topic-partition") before the
    // broker had told everyone about the topic the winner created.
    const id = randomUUID().slice(0, 8);
    const topic = `test.first-install-${id}.in`;
    const run = `test:${id}`;
    const starting = Array.from({ length: 4 }, (_, i) => {
      const name = `first-install-${id}-${i}`;
      const dir = fixtureFunction('recorder', { name, subscribes: [topic], publishes: [`test.first-install-${id}.out`], needs: ['redis'] });
      return startFunctionProcess({
        dir,
        name,
        env: { FLOWLINE_HOST: 'kafka', KAFKA_BROKERS: kafkaBrokers, REDIS_URL: redisUrl, FIXTURE_TOPIC: topic, FIXTURE_RUN: `${run}:${i}` },
      }).then((p) => {
        processes.push(p);
        return p;
      });
    });
    const started = await Promise.all(starting);
    await Promise.all(started.map((p) => p.ready(90_000)));
    const ids = await kafka.produce(topic, [{ key: 'dev-0', data: { key: 'dev-0', seq: 0 } }]);
    // Each function its own group: each handles the event once.
    for (let i = 0; i < started.length; i++) {
      const counts = await until(
        async () => {
          const c = await redis.hgetall(`${run}:${i}:count`);
          return Object.keys(c).length > 0 ? c : undefined;
        },
        `function ${i} handling the event`,
        60_000,
      );
      expect(counts).toEqual({ [ids[0] as string]: '1' });
    }
  });
});
