import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Quality } from '../../contracts/quality.ts';
import type { ResolvedEdgeConfig } from '../../edge-adapter/config/load-edge-config.ts';
import { type EdgeAdapter, startEdgeAdapter } from '../../edge-adapter/edge-adapter.ts';
import { callbackSink } from '../../edge-adapter/sinks/callback-sink.ts';
import { collectingSink, edgeConfig, projectTempDir, testLog } from '../support/edge-harness.ts';
import { until } from '../support/kafka.ts';

/**
 * Plain MQTT devices against the real Mosquitto on loopback: topic patterns mapped to
 * device and tag (topic levels, JSON fields), values, times and qualities picked from
 * JSON payloads, QoS 0/1/2, malformed payloads counted while the adapter keeps going, and
 * a persistent session that keeps what was published while the adapter was away. Every
 * sample goes through the store-and-forward buffer (a file) before the sink sees it.
 */
const { mqttUrl } = inject('services');
const run = randomUUID().slice(0, 8);
const dir = projectTempDir('edge-mqtt');
const sink = collectingSink();
const prefix = `test/${run}`;
let config: ResolvedEdgeConfig;
let adapter: EdgeAdapter;
let publisher: MqttClient;

const start = () => startEdgeAdapter({ config, sink: callbackSink(sink.publish), log: testLog, processMetrics: false });
const publish = (topic: string, payload: unknown, qos: 0 | 1 | 2 = 1) =>
  publisher.publishAsync(`${prefix}/${topic}`, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos });
const connected = () =>
  until(async () => adapter.health().devices['wt-w02']?.state === 'connected' || undefined, 'the adapter on the broker', 30_000);

beforeAll(async () => {
  config = edgeConfig(
    {
      site: 'test',
      buffer: { path: join(dir, 'buffer.sqlite') },
      publish: { lingerMs: 0 },
      connections: [
        {
          id: 'broker',
          protocol: 'mqtt',
          url: mqttUrl,
          clientId: `flowline-test-${run}`,
          clean: false,
          reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
        },
      ],
      devices: [
        {
          // A wireless gateway: t/<run>/wireless/<device>/<instrument>, { v, ts (seconds) }.
          id: 'wt-w02',
          protocol: 'mqtt',
          connection: 'broker',
          subscriptions: [
            { topic: `${prefix}/wireless/+/+`, qos: 2, device: { level: 3 }, tag: { level: 4 }, value: '$.v', timestamp: '$.ts' },
          ],
          tags: [
            { id: 'casing_pressure', key: 'PT-102', scale: 14.5038, unit: 'psi' },
            { id: 'flowline_temperature', key: 'TT-101' },
          ],
        },
        {
          // The same gateway's other well: the device level names it by the gateway's own name.
          id: 'wt-w03',
          protocol: 'mqtt',
          connection: 'broker',
          deviceKey: 'W03-GW',
          subscriptions: [{ topic: `${prefix}/wireless/+/+`, qos: 0, device: { level: 3 }, tag: { level: 4 }, value: '$.v' }],
          tags: [{ id: 'casing_pressure', key: 'PT-102' }],
        },
        {
          // A flow computer with everything in the payload: { device, point, reading: { value, time, q } }.
          id: 'fc-07',
          protocol: 'mqtt',
          connection: 'broker',
          subscriptions: [
            {
              topic: `${prefix}/gateway`,
              qos: 1,
              device: { field: '$.device' },
              tag: { field: '$.point' },
              value: '$.reading.value',
              timestamp: '$.reading.time',
              timestampFormat: 'iso8601',
              quality: '$.reading.q',
            },
          ],
          tags: [{ id: 'gas_rate', key: 'GasRate', scale: 35.3147 }],
        },
      ],
    },
    dir,
  );
  publisher = await connectAsync(mqttUrl, { clientId: `test-publisher-${run}` });
  adapter = start();
  await connected();
});
afterAll(async () => {
  await adapter?.stop();
  await publisher?.endAsync();
});

const counted = async (name: string) =>
  Object.fromEntries(
    ((await adapter.metrics.registry.getSingleMetric(name)?.get())?.values ?? []).map((v) => [Object.values(v.labels).join(','), v.value]),
  );

describe('plain MQTT devices on Mosquitto', () => {
  it('maps topic levels and JSON fields to device and tag, and takes value, time and quality from the payload', async () => {
    const t = 1_767_000_000; // seconds: the gateway's clock
    await publish('wireless/wt-w02/PT-102', { v: 61.2, ts: t }, 2);
    await publish('wireless/wt-w02/TT-101', { v: '48.5', ts: t + 1 }, 1); // numeric text, as many gateways send it
    await publish('wireless/W03-GW/PT-102', { v: 55, ts: t + 2 }, 0);
    await publish('gateway', { device: 'fc-07', point: 'GasRate', reading: { value: 4.5, time: '2026-01-01T00:00:00.000Z', q: 192 } });
    await publish('gateway', { device: 'fc-07', point: 'GasRate', reading: { value: null, time: '2026-01-01T00:00:01.000Z', q: 'bad' } });
    await publish('gateway', { device: 'fc-99', point: 'GasRate', reading: { value: 1, time: '2026-01-01T00:00:02.000Z', q: 192 } });
    await sink.waitFor('the four devices’ samples', (all) => all.filter((s) => s.sourceProtocol === 'MQTT').length >= 5, 30_000);
    await new Promise((r) => setTimeout(r, 300)); // anything else that would arrive (it must not)
    expect(sink.of('wt-w02', 'casing_pressure')).toEqual([
      {
        timestamp: t * 1000,
        deviceId: 'wt-w02',
        tagId: 'casing_pressure',
        value: 61.2 * 14.5038,
        quality: Quality.GOOD,
        sourceProtocol: 'MQTT',
      },
    ]);
    expect(sink.of('wt-w02', 'flowline_temperature')).toMatchObject([{ timestamp: (t + 1) * 1000, value: 48.5 }]);
    // The other well's reading went to its own device only, with the arrival time (its mapping reads no time).
    expect(sink.of('wt-w03', 'casing_pressure')).toMatchObject([{ value: 55, quality: Quality.GOOD }]);
    expect(sink.of('wt-w03', 'casing_pressure')[0]?.timestamp).toBeGreaterThan(Date.now() - 60_000);
    // A bad reading without a value keeps the last value; fc-99 is nobody's here.
    expect(sink.of('fc-07', 'gas_rate')).toEqual([
      expect.objectContaining({ timestamp: Date.parse('2026-01-01T00:00:00.000Z'), value: 4.5 * 35.3147, quality: Quality.GOOD }),
      expect.objectContaining({ timestamp: Date.parse('2026-01-01T00:00:01.000Z'), value: 4.5 * 35.3147, quality: Quality.BAD }),
    ]);
    expect(sink.samples.filter((s) => s.deviceId === 'fc-99')).toEqual([]);
    // As CloudEvents keyed by device, out of the buffer.
    const record = sink.records.find((r) => r.key === 'fc-07');
    expect(JSON.parse(String(record?.value))).toMatchObject({
      type: 'scada.telemetry.raw',
      data: { deviceId: 'fc-07', sourceProtocol: 'MQTT' },
    });
    expect(adapter.health().buffer.depth).toBe(0);
  });

  it('counts malformed payloads and unknown tags, reports them, and keeps reading', async () => {
    await publish('wireless/wt-w02/PT-102', '{"v": 61.');
    await publish('wireless/wt-w02/PT-102', { v: 'HIGH', ts: 1_767_000_100 });
    await publish('wireless/wt-w02/PT-102', { v: 62 }); // the mapping reads a time: missing is malformed
    await publish('wireless/wt-w02/LT-300', { v: 1, ts: 1_767_000_100 });
    await publish('wireless/wt-w02/PT-102', { v: 62.5, ts: 1_767_000_200 });
    await sink.waitFor('the good reading after the bad ones', () =>
      sink.of('wt-w02', 'casing_pressure').some((s) => s.timestamp === 1_767_000_200_000),
    );
    expect(await counted('flowline_edge_mqtt_messages_total')).toMatchObject({
      'wt-w02,malformed': 3,
      'wt-w02,unknown-tag': 1,
      'wt-w02,sample': 3,
    });
    const device = adapter.health().devices['wt-w02'];
    expect(device).toMatchObject({ state: 'connected', faults: { malformed: 3, 'unknown-tag': 1 } });
    expect(device?.lastError).toMatch(/LT-300, which wt-w02 does not list/);
  });

  it('keeps a persistent session: QoS 1 messages published while the adapter was away arrive when it is back', async () => {
    await adapter.stop();
    const away = [1_767_000_300, 1_767_000_301, 1_767_000_302];
    for (const ts of away) await publish('wireless/wt-w02/PT-102', { v: 70, ts }, 1);
    adapter = start(); // the same client id and buffer file
    await connected();
    await sink.waitFor('the messages held by the broker', () =>
      away.every((ts) => sink.of('wt-w02', 'casing_pressure').some((s) => s.timestamp === ts * 1000)),
    );
  });
});
