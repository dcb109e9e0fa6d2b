import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Quality } from '../../contracts/quality.ts';
import { type EdgeAdapter, startEdgeAdapter } from '../../edge-adapter/edge-adapter.ts';
import { callbackSink } from '../../edge-adapter/sinks/callback-sink.ts';
import { freePort } from '../../local-dev/services/process.ts';
import { collectingSink, edgeConfig, projectTempDir, testLog } from '../support/edge-harness.ts';
import { until } from '../support/kafka.ts';
import { makeBrokerPki, makePasswordFile, OwnMosquitto } from '../support/own-mosquitto.ts';

/**
 * MQTT connections as a pad secures them, on a Mosquitto of this file's own: TLS with a
 * username and a password read from the environment, TLS with a client certificate, and
 * the refusals (a wrong password, no certificate) reported as the device's state, never
 * thrown. Then the broker is SIGKILLed: every tag gets one bad sample, the adapter
 * reconnects with back-off by itself, and reading resumes.
 */
const dir = projectTempDir('edge-mqtt-security');
const sink = collectingSink();
const pki = makeBrokerPki(dir);
makePasswordFile(join(dir, 'passwords'), 'edge', 's3cret-pad-7');
const [plain, password, certificate] = [await freePort(), await freePort(), await freePort()];
const tls = [`cafile ${pki.caCert}`, `certfile ${pki.serverCert}`, `keyfile ${pki.serverKey}`];
const broker = new OwnMosquitto(
  dir,
  [
    `listener ${plain} 127.0.0.1`,
    'allow_anonymous true',
    `listener ${password} 127.0.0.1`,
    ...tls,
    'allow_anonymous false',
    `password_file ${join(dir, 'passwords')}`,
    `listener ${certificate} 127.0.0.1`,
    ...tls,
    'require_certificate true',
    'use_identity_as_username true',
  ],
  [plain, password, certificate],
);
let adapter: EdgeAdapter;
let publisher: MqttClient;

const device = (id: string, connection: string) => ({
  id,
  protocol: 'mqtt',
  connection,
  subscriptions: [{ topic: 'secure/+', tag: { level: 1 } }],
  tags: [{ id: 'pressure' }],
});
const reconnect = { initialDelayMs: 100, maxDelayMs: 400 };
const stateOf = (id: string) => adapter.health().devices[id];

beforeAll(async () => {
  await broker.start();
  const config = edgeConfig(
    {
      site: 'test',
      buffer: { path: join(dir, 'buffer.sqlite') },
      publish: { lingerMs: 0 },
      connections: [
        { id: 'plain', protocol: 'mqtt', url: `mqtt://127.0.0.1:${plain}`, reconnect },
        {
          id: 'password',
          protocol: 'mqtt',
          url: `mqtts://127.0.0.1:${password}`,
          username: 'edge',
          passwordEnv: 'EDGE_MQTT_PASSWORD',
          tls: { caFile: pki.caCert },
          reconnect,
        },
        {
          id: 'wrong-password',
          protocol: 'mqtt',
          url: `mqtts://127.0.0.1:${password}`,
          username: 'edge',
          password: 'guess',
          tls: { caFile: pki.caCert },
          reconnect,
        },
        {
          id: 'certificate',
          protocol: 'mqtt',
          url: `mqtts://127.0.0.1:${certificate}`,
          tls: { caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey },
          reconnect,
        },
        { id: 'no-certificate', protocol: 'mqtt', url: `mqtts://127.0.0.1:${certificate}`, tls: { caFile: pki.caCert }, reconnect },
      ],
      devices: [
        device('wt-plain', 'plain'),
        device('wt-password', 'password'),
        device('wt-wrong-password', 'wrong-password'),
        device('wt-certificate', 'certificate'),
        device('wt-no-certificate', 'no-certificate'),
      ],
    },
    dir,
    { EDGE_MQTT_PASSWORD: 's3cret-pad-7' },
  );
  adapter = startEdgeAdapter({ config, sink: callbackSink(sink.publish), log: testLog, processMetrics: false });
  publisher = await connectAsync(`mqtt://127.0.0.1:${plain}`, { clientId: 'test-publisher', reconnectPeriod: 200 });
});
afterAll(async () => {
  await adapter?.stop();
  await publisher?.endAsync();
  await broker.kill();
});

const good = (id: string) => sink.of(id, 'pressure').filter((s) => s.quality === Quality.GOOD);

describe('secured MQTT connections', () => {
  it('reads through TLS with a password from the environment and with a client certificate; refusals are reported, not thrown', async () => {
    await until(
      async () => ['wt-plain', 'wt-password', 'wt-certificate'].every((id) => stateOf(id)?.state === 'connected') || undefined,
      'the three connections that may connect',
    );
    await publisher.publishAsync('secure/pressure', JSON.stringify({ value: 42 }), { qos: 1 });
    await sink.waitFor(
      'the reading on each connected device',
      () => good('wt-plain').length > 0 && good('wt-password').length > 0 && good('wt-certificate').length > 0,
    );
    expect(stateOf('wt-wrong-password')).toMatchObject({
      state: 'disconnected',
      lastError: expect.stringMatching(/not authori[sz]ed|bad user ?name or password/i),
    });
    expect(stateOf('wt-no-certificate')?.state).not.toBe('connected');
    expect(good('wt-wrong-password')).toEqual([]);
    expect(good('wt-no-certificate')).toEqual([]);
  });

  it('gives every tag one bad sample when the broker dies, reconnects by itself and reads again', async () => {
    const before = Date.now();
    await broker.kill();
    await sink.waitFor('not-connected samples', () =>
      ['wt-plain', 'wt-password', 'wt-certificate'].every((id) =>
        sink.of(id, 'pressure').some((s) => s.timestamp >= before && s.quality === Quality.BAD_NOT_CONNECTED),
      ),
    );
    expect(stateOf('wt-plain')?.state).toBe('disconnected');
    await new Promise((r) => setTimeout(r, 1500)); // several reconnect attempts meet a closed port
    // One bad sample per outage, not one per failed attempt.
    expect(sink.of('wt-plain', 'pressure').filter((s) => s.timestamp >= before && s.quality === Quality.BAD_NOT_CONNECTED)).toHaveLength(1);
    await broker.start();
    await until(
      async () => ['wt-plain', 'wt-password', 'wt-certificate'].every((id) => stateOf(id)?.state === 'connected') || undefined,
      'reconnected',
    );
    const back = Date.now();
    await until(async () => publisher.connected || undefined, 'the publisher back');
    await publisher.publishAsync('secure/pressure', JSON.stringify({ value: 43 }), { qos: 1 });
    await sink.waitFor('readings after the restart', () =>
      ['wt-plain', 'wt-password', 'wt-certificate'].every((id) => good(id).some((s) => s.timestamp >= back && s.value === 43)),
    );
    const reconnects = (await adapter.metrics.registry.getSingleMetric('flowline_edge_reconnects_total')?.get())?.values ?? [];
    expect(reconnects.find((v) => v.labels.device === 'wt-plain')?.value).toBe(1);
  });
});
