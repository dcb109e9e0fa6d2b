import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CommandResult } from '../../contracts/command.ts';
import { Quality } from '../../contracts/quality.ts';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import { type CommandSource, startKafkaCommandSource } from '../../edge-adapter/commands/kafka-command-source.ts';
import { type EdgeAdapter, startEdgeAdapter } from '../../edge-adapter/edge-adapter.ts';
import { SparkplugEdgeNode } from '../../edge-adapter/simulators/sparkplug-edge-node.ts';
import { callbackSink } from '../../edge-adapter/sinks/callback-sink.ts';
import { kafkaConnectionOf } from '../../edge-adapter/sinks/kafka-connection.ts';
import { type DecodedPayload, decodeSparkplug, encodeSparkplug } from '../../edge-adapter/sparkplug/sparkplug-payload.ts';
import { createKafka } from '../../runtime/hosts/kafka/client.ts';
import { collectingSink, edgeConfig, projectTempDir, testLog } from '../support/edge-harness.ts';
import { connectTestKafka, type TestKafka, until } from '../support/kafka.ts';

/**
 * Sparkplug B against the real Mosquitto, with the simulated edge node: births, data by
 * alias, the host's retained STATE, a node death and a bdSeq that does not match turning
 * every tag bad at once, a seq gap answered by a rebirth request seen on the broker,
 * malformed payloads counted, and commands from scada.commands (real Kafka) becoming a
 * DCMD only when the guard rails allow. Group, host id and topics are this run's own.
 */
const { mqttUrl, kafkaBrokers } = inject('services');
const run = randomUUID().slice(0, 8);
const group = `test-${run}`;
const hostId = `flowline-test-${run}`;
const topics = {
  telemetry: `test.sp-${run}.telemetry`,
  commands: `test.sp-${run}.commands`,
  commandResults: `test.sp-${run}.commands.results`,
  audit: `test.sp-${run}.audit-log`,
};
const dir = projectTempDir('edge-sparkplug');
const sink = collectingSink();
const plc = { pressure: 10.5, level: 48, setpoint: 500, scanMs: 250 };
const node = new SparkplugEdgeNode({
  url: mqttUrl,
  groupId: group,
  edgeNodeId: 'gateway',
  publishIntervalMs: 200,
  // The gateway's own metrics: NBIRTH/NDATA, written by NCMD.
  nodeMetrics: [
    {
      name: 'Gateway/ScanRateMs',
      datatype: 'UInt32',
      read: () => ({ value: plc.scanMs, good: true }),
      write: (v) => {
        plc.scanMs = v;
        return true;
      },
    },
  ],
  devices: [
    {
      deviceId: 'separator',
      metrics: [
        { name: 'Separator/Pressure', datatype: 'Float', read: () => ({ value: plc.pressure, good: true }) },
        { name: 'Separator/LiquidLevel', datatype: 'Double', read: () => ({ value: plc.level, good: true }) },
        {
          name: 'Separator/LevelSetpoint',
          datatype: 'UInt16',
          read: () => ({ value: plc.setpoint, good: true }),
          write: (v) => {
            plc.setpoint = v;
            return true;
          },
        },
      ],
    },
  ],
});
const tags = ['separator_pressure', 'separator_liquid_level', 'separator_level_setpoint'];
/** What crossed the broker besides the node's own data: our commands and our STATE. */
const seen: { topic: string; payload: Buffer; at: number }[] = [];
let watcher: MqttClient;
let kafka: TestKafka;
let adapter: EdgeAdapter;
let source: CommandSource;

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  await kafka.createTopics(Object.values(topics), 1);
  watcher = await connectAsync(mqttUrl, { clientId: `test-watcher-${run}` });
  watcher.on('message', (topic, payload) => seen.push({ topic, payload, at: Date.now() }));
  await watcher.subscribeAsync([`spBv1.0/${group}/NCMD/#`, `spBv1.0/${group}/DCMD/#`, `spBv1.0/STATE/${hostId}`], { qos: 1 });
  node.start();
  const config = edgeConfig(
    {
      site: 'pad-7',
      buffer: { path: join(dir, 'buffer.sqlite') },
      publish: { lingerMs: 0 },
      kafka: { brokers: [kafkaBrokers] },
      topics,
      commands: { consumerGroup: `edge-sp-${run}` },
      connections: [
        {
          id: 'broker',
          protocol: 'mqtt',
          url: mqttUrl,
          sparkplug: { hostId, rebirthMinIntervalMs: 500 },
          reconnect: { initialDelayMs: 200 },
        },
      ],
      devices: [
        {
          id: 'separator-01',
          protocol: 'sparkplug',
          connection: 'broker',
          groupId: group,
          edgeNodeId: 'gateway',
          deviceId: 'separator',
          tags: [
            { id: 'separator_pressure', metric: 'Separator/Pressure', scale: 14.5038 },
            { id: 'separator_liquid_level', metric: 'Separator/LiquidLevel' },
            { id: 'separator_level_setpoint', metric: 'Separator/LevelSetpoint', scale: 0.1, writable: { min: 20, max: 80 } },
          ],
        },
        {
          // The edge node's own metrics: no deviceId.
          id: 'gateway-01',
          protocol: 'sparkplug',
          connection: 'broker',
          groupId: group,
          edgeNodeId: 'gateway',
          tags: [
            {
              id: 'scan_rate',
              metric: 'Gateway/ScanRateMs',
              unit: 'ms',
              writable: { min: 100, max: 5000, roles: ['supervisor', 'admin'] },
            },
          ],
        },
      ],
    },
    dir,
  );
  adapter = startEdgeAdapter({ config, sink: callbackSink(sink.publish), log: testLog, processMetrics: false });
  source = startKafkaCommandSource({
    kafka: createKafka(kafkaConnectionOf(config), testLog),
    topic: topics.commands,
    groupId: `edge-sp-${run}`,
    log: testLog,
    handle: (data) => adapter.handleCommand(data),
  });
  await until(async () => adapter.health().devices['separator-01']?.state === 'connected' || undefined, 'the separator’s birth', 30_000);
  await until(async () => source.ready || undefined, 'the command consumer', 90_000);
});
afterAll(async () => {
  await source?.stop();
  await adapter?.stop();
  await node.stop();
  await watcher?.endAsync();
  await kafka?.close();
});

const samples = () =>
  sink
    .of('separator-01', 'separator_pressure')
    .concat(sink.of('separator-01', 'separator_liquid_level'), sink.of('separator-01', 'separator_level_setpoint'));
const since = (t: number, quality: number) => samples().filter((s) => s.timestamp >= t && s.quality === quality);
const goodAgain = (since: number, what: string) =>
  sink.waitFor(what, () =>
    tags.every((tag) => sink.of('separator-01', tag).some((s) => s.timestamp > since && s.quality === Quality.GOOD)),
  );
const counted = async () =>
  Object.fromEntries(
    ((await adapter.metrics.registry.getSingleMetric('flowline_edge_sparkplug_events_total')?.get())?.values ?? []).map((v) => [
      v.labels.event,
      v.value,
    ]),
  );
const decoded = (topic: string): DecodedPayload[] => seen.filter((m) => m.topic === topic).map((m) => decodeSparkplug(m.payload));
/** Commands come from Kafka; the answers leave through the buffer, here into the collecting sink. */
const answers = () =>
  sink.records.filter((r) => r.topic === topics.commandResults).map((r) => JSON.parse(String(r.value)).data as CommandResult);
const rebirthRequests = () =>
  decoded(`spBv1.0/${group}/NCMD/gateway`).filter((p) => p.metrics.some((m) => m.name === 'Node Control/Rebirth' && m.value === 1));

describe('Sparkplug B on Mosquitto', () => {
  it('reads the metrics the births define, and says it is online in a retained STATE', async () => {
    await goodAgain(0, 'a good sample of every tag');
    expect(sink.of('separator-01', 'separator_pressure').at(-1)).toMatchObject({ value: 10.5 * 14.5038, sourceProtocol: 'MQTT' });
    expect(sink.of('separator-01', 'separator_level_setpoint').at(-1)?.value).toBeCloseTo(50, 9);
    // A client that connects later still finds the host's STATE: it is retained.
    const late = await connectAsync(mqttUrl, { clientId: `test-late-${run}` });
    const state = new Promise<Buffer>((resolve) => late.on('message', (_, payload) => resolve(payload)));
    await late.subscribeAsync(`spBv1.0/STATE/${hostId}`, { qos: 1 });
    expect(JSON.parse(String(await state))).toEqual({ online: true, timestamp: expect.any(Number) });
    await late.endAsync();
  });

  it('turns every tag bad at once when the node dies, and good again after its next birth', async () => {
    const before = Date.now();
    node.die(1500); // off the network: the broker publishes its will, NDEATH with this session's bdSeq
    await sink.waitFor('a not-connected sample for every tag', () =>
      tags.every((tag) => since(before, Quality.BAD_NOT_CONNECTED).some((s) => s.tagId === tag)),
    );
    const bad = since(before, Quality.BAD_NOT_CONNECTED);
    // At once: the three are one batch, side by side in what the buffer forwarded.
    const at = bad.map((s) => sink.samples.indexOf(s)).sort((a, b) => a - b);
    expect(at).toHaveLength(3);
    expect((at[2] ?? 0) - (at[0] ?? 0)).toBe(2);
    expect(adapter.health().devices['separator-01']).toMatchObject({ state: 'disconnected', lastError: 'NDEATH' });
    await goodAgain(bad[0]?.timestamp ?? before, 'good samples after the rebirth');
    expect(adapter.health().devices['separator-01']?.state).toBe('connected');
    expect(await counted()).toMatchObject({ death: 1 });
  });

  it('asks the node for a rebirth on a seq gap, seen on the broker, and the node answers it', async () => {
    const asked = rebirthRequests().length;
    const rebirths = node.received.rebirths;
    node.skipSeq(3);
    await until(async () => rebirthRequests().length > asked || undefined, 'an NCMD Node Control/Rebirth on the broker');
    await until(async () => node.received.rebirths > rebirths || undefined, 'the node to rebirth');
    expect((await counted())['seq-gap']).toBeGreaterThanOrEqual(1);
    expect(adapter.health().devices['separator-01']?.faults['seq-gap']).toBeGreaterThanOrEqual(1);
  });

  it('treats an NDEATH with another bdSeq as a death, asks for a rebirth, and the live node comes back', async () => {
    const before = Date.now();
    const asked = rebirthRequests().length;
    const stale = encodeSparkplug({ timestamp: before, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 200 }] });
    await watcher.publishAsync(`spBv1.0/${group}/NDEATH/gateway`, Buffer.from(stale), { qos: 1 });
    await sink.waitFor('every tag bad', () => tags.every((tag) => since(before, Quality.BAD_NOT_CONNECTED).some((s) => s.tagId === tag)));
    await until(async () => rebirthRequests().length > asked || undefined, 'the rebirth request');
    await goodAgain(Date.now() - 1, 'good samples from the live node');
    expect((await counted())['bdseq-mismatch']).toBe(1);
  });

  it('counts malformed payloads and keeps reading', async () => {
    node.publishMalformed();
    node.publishMalformed();
    await until(async () => (await counted()).malformed === 2 || undefined, 'two malformed payloads counted');
    await goodAgain(Date.now(), 'samples after the malformed payloads');
    expect(adapter.health().devices['separator-01']?.faults.malformed).toBe(2);
  });

  it('turns a command from scada.commands into a DCMD only when the guard rails allow it', async () => {
    const dcmd = `spBv1.0/${group}/DCMD/gateway/separator`;
    const send = async (id: string, value: number, role: 'operator' | 'viewer' = 'operator') => {
      const command = {
        commandId: `${id}-${run}`,
        timestamp: Date.now(),
        siteId: 'pad-7',
        deviceId: 'separator-01',
        tagId: 'separator_level_setpoint',
        value,
        requestedBy: { userId: 'ana', role },
      };
      await kafka.produce(topics.commands, [{ key: 'separator-01', data: command }]);
    };
    await send('too-high', 95);
    await send('viewer', 55, 'viewer');
    await send('too-fine', 55.55); // 555.5 tenths: the birth says UInt16
    await send('applied', 55.5);
    await until(async () => answers().length >= 4 || undefined, 'four answers', 60_000);
    const results = answers();
    expect(Object.fromEntries(results.map((r) => [r.commandId.replace(`-${run}`, ''), r.code]))).toEqual({
      'too-high': 'out-of-range',
      viewer: 'role-not-permitted',
      'too-fine': 'not-representable',
      applied: 'applied',
    });
    expect(results.find((r) => r.code === 'not-representable')?.reason).toMatch(/not a whole number, and the metric is UInt16/);
    // Exactly one DCMD crossed the broker: the allowed one, in the PLC's units and datatype.
    await until(async () => decoded(dcmd).length > 0 || undefined, 'the DCMD');
    expect(decoded(dcmd)).toEqual([
      expect.objectContaining({ metrics: [expect.objectContaining({ name: 'Separator/LevelSetpoint', datatype: 'UInt16', value: 555 })] }),
    ]);
    await until(async () => node.received.writes.length > 0 || undefined, 'the DCMD at the node');
    expect(node.received.writes).toEqual([{ deviceId: 'separator', metric: 'Separator/LevelSetpoint', value: 555 }]);
    await sink.waitFor('the new setpoint read back', () =>
      sink.of('separator-01', 'separator_level_setpoint').some((s: TelemetryRaw) => Math.abs(s.value - 55.5) < 1e-9),
    );
  });

  it('writes a node metric by NCMD, for the roles its tag allows only', async () => {
    const ncmd = `spBv1.0/${group}/NCMD/gateway`;
    const scanWrites = () => decoded(ncmd).filter((p) => p.metrics.some((m) => m.name === 'Gateway/ScanRateMs'));
    const command = (id: string, role: 'operator' | 'supervisor') => ({
      key: 'gateway-01',
      data: {
        commandId: `${id}-${run}`,
        timestamp: Date.now(),
        siteId: 'pad-7',
        deviceId: 'gateway-01',
        tagId: 'scan_rate',
        value: 500,
        requestedBy: { userId: 'sam', role },
      },
    });
    await kafka.produce(topics.commands, [command('ncmd-operator', 'operator'), command('ncmd-supervisor', 'supervisor')]);
    await until(async () => answers().filter((r) => r.commandId.startsWith('ncmd-')).length === 2 || undefined, 'both answers', 60_000);
    expect(
      Object.fromEntries(
        answers()
          .filter((r) => r.commandId.startsWith('ncmd-'))
          .map((r) => [r.commandId.replace(`-${run}`, ''), r.code]),
      ),
    ).toEqual({
      'ncmd-operator': 'role-not-permitted',
      'ncmd-supervisor': 'applied',
    });
    await until(async () => node.received.writes.some((w) => w.metric === 'Gateway/ScanRateMs') || undefined, 'the NCMD at the node');
    expect(node.received.writes.filter((w) => w.metric === 'Gateway/ScanRateMs')).toEqual([
      { deviceId: undefined, metric: 'Gateway/ScanRateMs', value: 500 },
    ]);
    expect(scanWrites()).toHaveLength(1);
    expect(scanWrites()[0]?.metrics[0]).toMatchObject({ datatype: 'UInt32', value: 500 });
    await sink.waitFor('the new scan rate read back from NDATA', () => sink.of('gateway-01', 'scan_rate').some((s) => s.value === 500));
  });

  it('says offline in its retained STATE when it stops', async () => {
    await adapter.stop();
    await until(
      async () => seen.some((m) => m.topic === `spBv1.0/STATE/${hostId}` && JSON.parse(String(m.payload)).online === false) || undefined,
      'STATE offline',
    );
  });
});
