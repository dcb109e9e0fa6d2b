import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuditLog } from '../../contracts/audit-log.ts';
import type { Command, CommandResult } from '../../contracts/command.ts';
import { type CommandSource, startKafkaCommandSource } from '../../edge-adapter/commands/kafka-command-source.ts';
import { type EdgeAdapter, startEdgeAdapter } from '../../edge-adapter/edge-adapter.ts';
import { rtuUnits } from '../../edge-adapter/simulators/modbus-register-map.ts';
import { startWellPadSimulators, type WellPadSimulators } from '../../edge-adapter/simulators/well-pad-simulators.ts';
import { kafkaConnectionOf } from '../../edge-adapter/sinks/kafka-connection.ts';
import { kafkaSink } from '../../edge-adapter/sinks/kafka-sink.ts';
import { createKafka } from '../../runtime/hosts/kafka/client.ts';
import { edgeConfig, projectTempDir, testLog } from '../support/edge-harness.ts';
import { connectTestKafka, type TestKafka, until } from '../support/kafka.ts';

/**
 * Commands end to end on the real broker: scada.commands in, a write to the simulated
 * device, the answer on the results topic and a record on the audit topic. The guard
 * rails (allow-list, range, role) refuse, answer and audit. Topics are this run's own.
 */
const { kafkaBrokers } = inject('services');
const run = randomUUID().slice(0, 8);
const topics = {
  telemetry: `test.edge-${run}.telemetry`,
  commands: `test.edge-${run}.commands`,
  commandResults: `test.edge-${run}.commands.results`,
  audit: `test.edge-${run}.audit-log`,
};
const dir = projectTempDir('edge-commands');
let kafka: TestKafka;
let simulators: WellPadSimulators;
let adapter: EdgeAdapter;
let source: CommandSource;

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  await kafka.createTopics(Object.values(topics), 3);
  simulators = await startWellPadSimulators({ modbusPort: 0, opcuaPort: 0, pkiDir: join(dir, 'simulator-pki') });
  const config = edgeConfig(
    {
      site: 'pad-7',
      kafka: { brokers: [kafkaBrokers], compression: 'gzip' },
      topics,
      buffer: { path: join(dir, 'buffer.sqlite') },
      commands: { roles: ['operator', 'supervisor', 'admin'], maxAgeSeconds: 60, consumerGroup: `edge-${run}` },
      devices: [
        {
          id: 'wellhead-rtu',
          protocol: 'modbus',
          host: '127.0.0.1',
          port: simulators.modbus.port,
          unitId: rtuUnits.W1,
          pollIntervalMs: 500,
          wordOrder: 'little',
          tags: [
            { id: 'w1-tubing-pressure', table: 'input-register', address: 0, type: 'float32' },
            { id: 'w1-choke-setpoint', table: 'holding-register', address: 0, type: 'uint16', scale: 0.1, writable: { min: 0, max: 100 } },
          ],
        },
        {
          id: 'esp-vfd',
          protocol: 'modbus',
          host: '127.0.0.1',
          port: simulators.modbus.port,
          unitId: rtuUnits.W1, // the ESP drive's registers, as the well's RTU republishes them
          pollIntervalMs: 500,
          tags: [
            {
              id: 'frequency-setpoint',
              table: 'holding-register',
              address: 10,
              type: 'uint16',
              scale: 0.01,
              writable: { min: 35, max: 60 },
            },
            { id: 'run', table: 'coil', address: 1, writable: { min: 0, max: 1, roles: ['supervisor', 'admin'] } },
          ],
        },
        {
          id: 'rig-plc',
          protocol: 'opcua',
          endpoint: simulators.opcua.endpoint,
          acceptUnknownServerCertificate: true,
          tags: [
            {
              id: 'rotary-speed-setpoint',
              nodeId: 'ns=1;s=Rig.RotarySpeedSetpoint',
              writable: { min: 0, max: 180, roles: ['supervisor', 'admin'] },
            },
          ],
        },
      ],
    },
    dir,
  );
  const client = createKafka(kafkaConnectionOf(config), testLog);
  adapter = startEdgeAdapter({
    config,
    sink: kafkaSink({ kafka: client, compression: 'gzip', log: testLog }),
    log: testLog,
    processMetrics: false,
  });
  source = startKafkaCommandSource({
    kafka: client,
    topic: topics.commands,
    groupId: `edge-${run}`,
    log: testLog,
    handle: (data) => adapter.handleCommand(data),
  });
  await until(async () => source.ready || undefined, 'the command consumer to join its group', 90_000);
  await until(async () => adapter.health().devices['rig-plc']?.state === 'connected' || undefined, 'the rig PLC', 60_000);
});
afterAll(async () => {
  await source?.stop();
  await adapter?.stop();
  await simulators?.stop();
  await kafka?.close();
});

let sent = 0;
async function send(overrides: Partial<Record<keyof Command, unknown>>): Promise<string> {
  const command = {
    commandId: `cmd-${run}-${++sent}`,
    timestamp: Date.now(),
    siteId: 'pad-7',
    deviceId: 'esp-vfd',
    tagId: 'frequency-setpoint',
    value: 50,
    requestedBy: { userId: 'ana', role: 'operator' },
    ...overrides,
  };
  await kafka.produce(topics.commands, [{ key: String(command.deviceId), data: command }]);
  return String(command.commandId);
}

const dataOf = <T>(messages: { value: string }[]) => messages.map((m) => JSON.parse(m.value).data as T);

describe('commands with guard rails', () => {
  const expected: { id: string; status: string; code: string }[] = [];

  it('applies allowed writes to the devices and answers them', async () => {
    expected.push({ id: await send({ value: 48.5 }), status: 'applied', code: 'applied' });
    expected.push({
      id: await send({ deviceId: 'wellhead-rtu', tagId: 'w1-choke-setpoint', value: 55.5 }),
      status: 'applied',
      code: 'applied',
    });
    expected.push({
      id: await send({
        deviceId: 'rig-plc',
        tagId: 'rotary-speed-setpoint',
        value: 140,
        requestedBy: { userId: 'sam', role: 'supervisor' },
      }),
      status: 'applied',
      code: 'applied',
    });
    await until(
      async () => (simulators.pad.read('W1.EspFrequencySetpoint').value === 48.5 ? true : undefined),
      'the ESP setpoint in the simulator',
    );
    expect(simulators.modbus.image.readRegisters(rtuUnits.W1, 'holding-register', 10, 1)).toEqual([4850]);
    await until(
      async () => (simulators.pad.read('W1.ChokeSetpoint').value === 55.5 ? true : undefined),
      'the choke setpoint in the simulator',
    );
    await until(
      async () => (simulators.pad.read('Rig.RotarySpeedSetpoint').value === 140 ? true : undefined),
      'the rig setpoint over OPC UA',
    );
  });

  it('refuses a tag off the allow-list, a value out of range and a role without permission, without touching the device', async () => {
    expected.push({
      id: await send({ deviceId: 'wellhead-rtu', tagId: 'w1-tubing-pressure', value: 10 }),
      status: 'refused',
      code: 'tag-not-writable',
    });
    expected.push({ id: await send({ value: 75 }), status: 'refused', code: 'out-of-range' });
    expected.push({
      id: await send({ value: 40, requestedBy: { userId: 'vic', role: 'viewer' } }),
      status: 'refused',
      code: 'role-not-permitted',
    });
    expected.push({ id: await send({ tagId: 'run', value: 0 }), status: 'refused', code: 'role-not-permitted' }); // operator on a supervisor-only tag
    expected.push({ id: await send({ value: 45.555 }), status: 'refused', code: 'not-representable' }); // finer than the register's 0.01 Hz
    expected.push({ id: await send({ value: 45, timestamp: Date.now() - 10 * 60_000 }), status: 'refused', code: 'expired' });
    expected.push({ id: await send({ deviceId: 'separator', value: 45 }), status: 'refused', code: 'unknown-device' });
    expected.push({ id: await send({ value: 'fast' }), status: 'refused', code: 'invalid' });
    // Not ours: another site's adapter answers it.
    await send({ siteId: 'pad-9', value: 41 });

    const results = dataOf<CommandResult>(await kafka.readAll(topics.commandResults, expected.length, 60_000));
    expect(results.map((r) => [r.commandId, r.status, r.code]).sort()).toEqual(expected.map((e) => [e.id, e.status, e.code]).sort());
    for (const r of results) expect(r.reason.length).toBeGreaterThan(0);
    // Refused commands never reached the device.
    expect(simulators.pad.read('W1.EspFrequencySetpoint').value).toBe(48.5);
    expect(simulators.pad.read('W1.EspRun').value).toBe(1);
  });

  it('audits every decision', async () => {
    const audit = dataOf<AuditLog>(await kafka.readAll(topics.audit, expected.length, 60_000));
    expect(audit.map((a) => a.correlationId).sort()).toEqual(expected.map((e) => e.id).sort());
    const byId = new Map(audit.map((a) => [a.correlationId, a]));
    for (const e of expected) {
      const record = byId.get(e.id);
      expect(record).toMatchObject({
        action: 'scada.command.write',
        source: 'flowline/edge/pad-7',
        outcome: e.status === 'applied' ? 'success' : 'refused',
      });
    }
    expect(byId.get(expected[0]?.id ?? '')).toMatchObject({
      actor: { userId: 'ana', role: 'operator' },
      resource: 'pad-7/esp-vfd/frequency-setpoint',
    });
  });

  it('answers a redelivered command once', async () => {
    const commandId = `cmd-${run}-again`;
    const command = {
      commandId,
      timestamp: Date.now(),
      siteId: 'pad-7',
      deviceId: 'esp-vfd',
      tagId: 'frequency-setpoint',
      value: 52,
      requestedBy: { userId: 'ana', role: 'operator' },
    };
    await kafka.produce(topics.commands, [
      { key: 'esp-vfd', data: command },
      { key: 'esp-vfd', data: command },
    ]);
    // A marker behind both copies, on the same partition: once it is answered, so is anything before it.
    const marker = await send({ value: 53 });
    const all = dataOf<CommandResult>(await kafka.readAll(topics.commandResults, expected.length + 2, 60_000));
    expect(all.map((r) => r.commandId)).toContain(marker);
    expect(all.filter((r) => r.commandId === commandId)).toHaveLength(1);
    expect(simulators.pad.read('W1.EspFrequencySetpoint').value).toBe(53);
  });
});
