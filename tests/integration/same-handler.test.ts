import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Daprd, startDaprd } from '../../local-dev/services/daprd.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { deadLetterHeader } from '../../runtime/dead-letter.ts';
import { invokeRoutes } from '../../runtime/hosts/invoke-routes.ts';
import { loadFunction } from '../../runtime/load-function.ts';
import { toOutbound } from '../../runtime/settle.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';
import { fixtureFunction } from '../support/fixture-function.ts';
import { type FunctionProcess, freePort, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka } from '../support/kafka.ts';

/**
 * One handler file (tests/fixtures/functions/probe), one list of inputs, one list of
 * expected outcomes, and three hosts: in-process, a kafkajs consumer group, and a
 * Dapr app behind a real daprd with pubsub.kafka and state.redis.
 */
const { kafkaBrokers, redisUrl } = inject('services');
let kafka: TestKafka;
let redis: Redis;

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  redis = new Redis(redisUrl);
});
afterAll(async () => {
  await kafka.close();
  redis.disconnect();
});

const inputs = [
  { key: 'a', seq: 10, action: 'ok' },
  { key: 'a', seq: 11, action: 'flaky' },
  { key: 'b', seq: 20, action: 'retryable' },
  { key: 'b', seq: 21, action: 'poison' },
  { key: 'b', seq: 22, action: 'ok' },
  { key: 'c', seq: 30, action: 'remember' },
  { key: 'c', seq: 'thirty-one', action: 'ok' }, // fails the schema
] as const;

const expectedOutputs = [
  { key: 'a', seq: 10, doubled: 20 },
  { key: 'a', seq: 11, doubled: 22 },
  { key: 'b', seq: 20, doubled: 40 },
  { key: 'b', seq: 22, doubled: 44 },
  { key: 'c', seq: 30, doubled: 60 },
];

interface Outcome {
  outputs: { key: string | undefined; data: unknown }[];
  deadLetters: { id: string; cause: string | undefined; reason: string | undefined }[];
  ids: string[];
  /** How often the flaky and the retryable event were attempted, from ctx.state. */
  attempts: number[];
  /** Answers of POST /invoke for an ok, a poison and an invalid event: status and outcome. */
  invoked: string[];
}

const invocations = [
  { data: { key: 'd', seq: 40, action: 'ok' }, key: 'd' },
  { data: { key: 'd', seq: 41, action: 'poison' }, key: 'd' },
  { data: { key: 'd', seq: 'forty-two', action: 'ok' }, key: 'd' },
];

/** Calls /invoke (however the host exposes it) for each invocation: "status outcome topic-of-publish". */
async function invokeAll(call: (body: unknown) => Promise<Response>): Promise<string[]> {
  const answers: string[] = [];
  for (const body of invocations) {
    const res = await call(body);
    const json = (await res.json()) as { outcome: string; published: { topic: string }[]; reason?: string };
    answers.push(
      `${res.status} ${json.outcome} ${json.published.map((p) => p.topic.split('.').at(-1)).join(',')}${json.reason ? ` ${json.reason.startsWith('data does not match') ? 'invalid-data' : json.reason.split(':')[0]}` : ''}`,
    );
  }
  return answers;
}
const expectedInvoked = ['200 success out', '422 rejected  PermanentError', '422 rejected  invalid-data'];

interface Harness {
  run(topic: string, out: string, name: string): Promise<Outcome>;
}

const byKeyThenSeq = (a: { data: unknown }, b: { data: unknown }) => JSON.stringify(a.data).localeCompare(JSON.stringify(b.data));

const harnesses: Record<'memory' | 'kafka' | 'dapr', Harness> = {
  memory: {
    async run(topic, out, name) {
      const dir = fixtureFunction('probe', {
        name,
        subscribes: [topic],
        publishes: [out],
        needs: ['redis'],
        retry: { maxAttempts: 3, initialDelayMs: 10 },
      });
      process.env.FIXTURE_TOPIC = topic;
      process.env.FIXTURE_OUT = out;
      const loaded = await loadFunction(dir);
      const bed: TestBed = await createTestBed({ functions: [loaded], redis });
      try {
        const ids = inputs.map((data) => bed.publish(topic, data, { key: data.key }).id);
        await bed.drained();
        const outcome = {
          ids,
          attempts: await stateAttempts((id) => `state:${name}:attempts:${id}`, ids),
          outputs: bed.events(out).map((e) => ({ key: e.partitionkey, data: e.data })),
          deadLetters: bed.deadLetters(topic).map((l) => ({
            id: JSON.parse(String(l.value)).id,
            cause: l.headers[deadLetterHeader.cause],
            reason: l.headers[deadLetterHeader.reason],
          })),
        };
        // The same routes the runner serves, called in-process.
        const routes = invokeRoutes(bed.functions, async (_fn, publishes) => bed.bus.publish(publishes.map(toOutbound)));
        const invoked = await invokeAll(async (body) =>
          routes.request('/invoke', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        );
        return { ...outcome, invoked };
      } finally {
        await bed.stop();
      }
    },
  },
  kafka: {
    async run(topic, out, name) {
      await kafka.createTopics([topic, out, `${topic}.dlq`]);
      const dir = fixtureFunction('probe', {
        name,
        subscribes: [topic],
        publishes: [out],
        needs: ['redis'],
        startFrom: 'earliest',
        retry: { maxAttempts: 3, initialDelayMs: 10 },
      });
      const proc = await startFunctionProcess({
        dir,
        name,
        env: { FLOWLINE_HOST: 'kafka', KAFKA_BROKERS: kafkaBrokers, REDIS_URL: redisUrl, FIXTURE_TOPIC: topic, FIXTURE_OUT: out },
      });
      try {
        await proc.ready();
        const outcome = await produceAndCollect(topic, out);
        // The function's own HTTP endpoint, as the gateway calls it on the kafka host.
        const invoked = await invokeAll((body) => post(`http://127.0.0.1:${proc.port}/invoke`, body));
        return { ...outcome, invoked, attempts: await stateAttempts((id) => `state:${name}:attempts:${id}`, outcome.ids) };
      } finally {
        await proc.stop();
      }
    },
  },
  dapr: {
    async run(topic, out, name) {
      await kafka.createTopics([topic, out, `${topic}.dlq`]);
      const dir = fixtureFunction('probe', { name, subscribes: [topic], publishes: [out], needs: ['redis'] });
      const [appPort, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
      let proc: FunctionProcess | undefined;
      let daprd: Daprd | undefined;
      try {
        proc = await startFunctionProcess({
          dir,
          name,
          port: appPort,
          env: { FLOWLINE_HOST: 'dapr', DAPR_HTTP_PORT: String(httpPort), REDIS_URL: redisUrl, FIXTURE_TOPIC: topic, FIXTURE_OUT: out },
        });
        daprd = await startDaprd({
          appId: name,
          appPort,
          httpPort,
          grpcPort,
          resourcesPath: join(repoRoot, 'components'),
          env: { KAFKA_BROKERS: kafkaBrokers, REDIS_HOST: new URL(redisUrl).host, REDIS_PASSWORD: '' },
        });
        await proc.ready();
        const outcome = await produceAndCollect(topic, out);
        // State went through the sidecar into Redis (state.redis keeps `<app-id>||<key>` hashes).
        const stored = await redis.hget(`${name}||remembered:c`, 'data');
        expect(JSON.parse(stored ?? 'null')).toEqual({ seq: 30 });
        const attempts = await Promise.all(
          [outcome.ids[1], outcome.ids[2]].map(async (id) =>
            Number(JSON.parse((await redis.hget(`${name}||attempts:${id}`, 'data')) ?? '0')),
          ),
        );
        // Dapr service invocation of the app id, method "invoke", through the sidecar.
        const invoked = await invokeAll((body) => post(`http://127.0.0.1:${httpPort}/v1.0/invoke/${name}/method/invoke`, body));
        return { ...outcome, attempts, invoked };
      } finally {
        await proc?.stop();
        await daprd?.stop();
      }
    },
  },
};

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

async function stateAttempts(keyOf: (id: string) => string, ids: string[]): Promise<number[]> {
  return Promise.all([ids[1], ids[2]].map(async (id) => Number(JSON.parse((await redis.get(keyOf(id ?? ''))) ?? '0'))));
}

async function produceAndCollect(topic: string, out: string): Promise<Omit<Outcome, 'attempts' | 'invoked'>> {
  const ids = await kafka.produce(
    topic,
    inputs.map((data) => ({ key: data.key, data })),
  );
  const outputs = await kafka.readAll(out, expectedOutputs.length, 60_000);
  const letters = await kafka.readAll(`${topic}.dlq`, 2, 60_000);
  return {
    ids,
    outputs: outputs.map((m) => ({ key: m.key, data: JSON.parse(m.value).data })),
    deadLetters: letters.map((m) => ({
      id: JSON.parse(m.value).id,
      cause: m.headers[deadLetterHeader.cause],
      reason: m.headers[deadLetterHeader.reason],
    })),
  };
}

describe.each(Object.keys(harnesses) as (keyof typeof harnesses)[])('the probe handler on the %s host', (host) => {
  it('publishes, retries, dead-letters and keeps state exactly as on every other host', async () => {
    const id = randomUUID().slice(0, 8);
    const outcome = await harnesses[host].run(`test.probe-${id}.in`, `test.probe-${id}.out`, `probe-${host}-${id}`);

    expect(outcome.outputs.sort(byKeyThenSeq)).toEqual(expectedOutputs.map((data) => ({ key: data.key, data })).sort(byKeyThenSeq));
    const letters = [...outcome.deadLetters].sort((a, b) => (a.cause ?? '').localeCompare(b.cause ?? ''));
    expect(letters).toHaveLength(2);
    expect(letters[0]).toMatchObject({ id: outcome.ids[6], cause: 'invalid' });
    expect(letters[0]?.reason).toMatch(/^data does not match the test\.probe-.*\.in schema: seq: /);
    expect(letters[1]).toEqual({ id: outcome.ids[3], cause: 'permanent', reason: 'PermanentError: cannot handle b/21' });
    // The flaky and retryable events were attempted twice: redelivered, never acknowledged on failure.
    expect(outcome.attempts).toEqual([2, 2]);
    // The same synchronous invocation answers, whichever host runs the function.
    expect(outcome.invoked).toEqual(expectedInvoked);
  });
});
