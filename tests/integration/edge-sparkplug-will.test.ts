import { randomUUID } from 'node:crypto';
import { connectAsync } from 'mqtt';
import { describe, expect, inject, it } from 'vitest';
import { BrokerConnection } from '../../edge-adapter/mqtt/broker-connection.ts';
import { createEdgeMetrics } from '../../edge-adapter/ops/edge-metrics.ts';
import { SparkplugHost } from '../../edge-adapter/sparkplug/sparkplug-host.ts';
import { edgeConfig, projectTempDir, testLog } from '../support/edge-harness.ts';
import { until } from '../support/kafka.ts';

/**
 * The Sparkplug host's will on the real Mosquitto: a host that vanishes without a
 * DISCONNECT (a killed process, a cut cable) is announced offline by the broker, in its
 * retained STATE, with the timestamp of the online STATE it replaces (Sparkplug 3.0).
 */
const { mqttUrl } = inject('services');
const run = randomUUID().slice(0, 8);
const dir = projectTempDir('edge-sparkplug-will');

describe('the Sparkplug host on Mosquitto', () => {
  it('leaves a will that says offline, with its online STATE’s timestamp, when it vanishes without a word', async () => {
    const willHost = `flowline-test-will-${run}`;
    const states: { online: boolean; timestamp: number }[] = [];
    const observer = await connectAsync(mqttUrl, { clientId: `test-will-observer-${run}` });
    observer.on('message', (_, payload) => {
      if (payload.length > 0) states.push(JSON.parse(String(payload))); // empty: the retained STATE being cleared
    });
    await observer.subscribeAsync(`spBv1.0/STATE/${willHost}`, { qos: 1 });
    // A host assembled from the adapter's own parts, that can vanish as a killed process would.
    const [settings] = edgeConfig(
      {
        site: 'x',
        connections: [{ id: 'c', protocol: 'mqtt', url: mqttUrl, sparkplug: { hostId: willHost } }],
        devices: [
          {
            id: 'd',
            protocol: 'sparkplug',
            connection: 'c',
            groupId: 'test-will',
            edgeNodeId: 'gateway',
            tags: [{ id: 't', metric: 'm' }],
          },
        ],
      },
      dir,
    ).connections;
    if (!settings) throw new Error('the configuration lost its connection');
    const connection = new BrokerConnection({
      connection: settings,
      clientId: `test-will-host-${run}`,
      log: testLog,
    });
    const metrics = createEdgeMetrics(
      {
        bufferDepth: () => 0,
        bufferCapacity: () => 0,
        bufferBytes: () => 0,
        bufferMinutes: () => 0,
        sinkUp: () => true,
        devices: () => [],
      },
      { processMetrics: false },
    );
    const host = new SparkplugHost({ connection, hostId: willHost, rebirthMinIntervalMs: 1000, metrics, log: testLog });
    host.start();
    connection.start();
    await until(async () => states.find((s) => s.online) ?? undefined, 'STATE online');
    await connection.stop(false); // the socket closes without DISCONNECT: the broker publishes the will
    await until(async () => states.find((s) => !s.online) ?? undefined, 'the will: STATE offline');
    const online = states.find((s) => s.online);
    expect(states.find((s) => !s.online)).toEqual({ online: false, timestamp: online?.timestamp });
    await observer.publishAsync(`spBv1.0/STATE/${willHost}`, '', { qos: 1, retain: true }); // leave no retained STATE behind
    await observer.endAsync();
  });
});
