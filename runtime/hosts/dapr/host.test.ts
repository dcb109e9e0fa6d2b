import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bindFunction } from '../../bound-function.ts';
import { defineFunction } from '../../define-function.ts';
import { FunctionManifest } from '../../manifest.ts';
import { createRuntimeMetrics } from '../../metrics.ts';
import { missingStateStore } from '../../resources/open.ts';
import { createDaprClient, daprApp } from './host.ts';
import { routeOf } from './subscriptions.ts';

/**
 * What the app answers when the sidecar refuses part of a bulk publish. The sidecar here is a
 * stand-in that speaks Dapr's bulk publish API (POST /v1.0-alpha1/publish/bulk/…, answering
 * 500 with `failedEntries` as daprd does when some entries fail): the real daprd cannot be
 * made to refuse one entry of a batch on demand. The dapr host's happy paths run on a real
 * daprd in tests/integration/dapr-host.test.ts.
 */
const Reading = z.object({ device: z.string(), n: z.number().int() }).strict();

interface BulkRequest {
  topic: string;
  entries: { entryId: string; event: { data?: unknown } }[];
}

let sidecar: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (sidecar ? sidecar.close(() => resolve()) : resolve()));
  sidecar = undefined;
});

const bodyOf = async (req: IncomingMessage): Promise<string> => {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
};

/** A sidecar that records every bulk publish and refuses the entries `refuse` picks on the topics it names. */
async function startSidecar(refuse: (request: BulkRequest) => string[]): Promise<{ port: number; bulks: BulkRequest[] }> {
  const bulks: BulkRequest[] = [];
  sidecar = createServer(async (req, res) => {
    // The SDK reads the sidecar's metadata before its first call, to know it is up.
    if (req.method === 'GET' && req.url === '/v1.0/metadata') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"fanout"}');
      return;
    }
    const match = /^\/v1\.0-alpha1\/publish\/bulk\/[^/]+\/([^/?]+)/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      res.writeHead(404).end();
      return;
    }
    const request = { topic: decodeURIComponent(match[1] as string), entries: JSON.parse(await bodyOf(req)) };
    bulks.push(request);
    const refused = refuse(request);
    if (refused.length === 0) {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(500, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        failedEntries: refused.map((entryId) => ({ entryId, error: 'kafka: message too large' })),
        errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE',
      }),
    );
  });
  await new Promise<void>((resolve) => sidecar?.listen(0, '127.0.0.1', () => resolve()));
  return { port: (sidecar.address() as AddressInfo).port, bulks };
}

async function appWith(port: number) {
  const log = pino({ level: 'silent' });
  const fn = await bindFunction({
    manifest: FunctionManifest.parse({ name: 'fanout', subscribes: ['in'], publishes: ['out.a', 'out.b'] }),
    definition: defineFunction({ in: Reading }, async (event, ctx) => {
      ctx.publish('out.a', { device: event.data.device, n: event.data.n }, { key: event.data.device });
      ctx.publish('out.a', { device: event.data.device, n: event.data.n + 1 }, { key: event.data.device });
      ctx.publish('out.b', { device: event.data.device, n: event.data.n }, { key: event.data.device });
    }),
    log,
    metrics: createRuntimeMetrics({ processMetrics: false }),
    state: missingStateStore('fanout'),
  });
  const connection = { host: '127.0.0.1', httpPort: port, pubsubName: 'pubsub', stateStore: 'state' };
  return daprApp(fn, createDaprClient(connection, log), connection);
}

const bulkDelivery = (n: number) => ({
  entries: Array.from({ length: n }, (_, i) => ({
    entryId: `e${i}`,
    event: {
      specversion: '1.0',
      id: `id-${i}`,
      source: 'test',
      type: 'in',
      datacontenttype: 'application/json',
      data: { device: 'd1', n: i },
    },
    contentType: 'application/cloudevents+json',
    metadata: {},
  })),
});

async function post(app: Awaited<ReturnType<typeof appWith>>['app'], body: unknown) {
  const res = await app.request(routeOf('in'), {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return (await res.json()) as { statuses: { entryId: string; status: string }[] };
}

describe('dapr host: publishing through the sidecar', () => {
  it('answers SUCCESS once every entry of every topic is published, one bulk per topic in publish order', async () => {
    const fake = await startSidecar(() => []);
    const dapr = await appWith(fake.port);
    const answer = await post(dapr.app, bulkDelivery(2));
    await dapr.stop();

    expect(answer.statuses).toEqual([
      { entryId: 'e0', status: 'SUCCESS' },
      { entryId: 'e1', status: 'SUCCESS' },
    ]);
    expect(fake.bulks.map((b) => [b.topic, b.entries.map((e) => (e.event.data as { n: number }).n)])).toEqual([
      ['out.a', [0, 1, 1, 2]],
      ['out.b', [0, 1]],
    ]);
  });

  it('asks for redelivery of the whole delivery when the sidecar refuses one entry of a bulk, and publishes no later topic', async () => {
    const fake = await startSidecar((request) => (request.topic === 'out.a' ? ['2'] : []));
    const dapr = await appWith(fake.port);
    const answer = await post(dapr.app, bulkDelivery(2));
    await dapr.stop();

    // The three entries daprd did take are published again on redelivery: at least once, and
    // the consumers of every topic are idempotent by event id. What must not happen is a
    // SUCCESS that loses the refused one.
    expect(answer.statuses.map((s) => s.status)).toEqual(['RETRY', 'RETRY']);
    expect(fake.bulks.map((b) => b.topic)).toEqual(['out.a']);
  });

  it('asks for redelivery when the sidecar has gone away', async () => {
    const fake = await startSidecar(() => []);
    const dapr = await appWith(fake.port);
    expect((await post(dapr.app, bulkDelivery(1))).statuses).toEqual([{ entryId: 'e0', status: 'SUCCESS' }]);
    sidecar?.closeAllConnections();
    await new Promise<void>((resolve) => sidecar?.close(() => resolve()));
    sidecar = undefined;
    const answer = await post(dapr.app, bulkDelivery(1));
    await dapr.stop();
    expect(answer.statuses).toEqual([{ entryId: 'e0', status: 'RETRY' }]);
  });
});
