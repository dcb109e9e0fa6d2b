import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigFileError } from '../../runtime/yaml-config.ts';
import { loadEdgeConfig } from './load-edge-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'edge-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(yaml: string, env: Record<string, string> = {}) {
  const file = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return { file, load: () => loadEdgeConfig(file, { FLOWLINE_STATE_DIR: join(dir, 'state'), ...env }) };
}

function problems(yaml: string): { line: number | undefined; path: string; message: string }[] {
  const { load: run } = load(yaml);
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigFileError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

const base = `site: pad-7
devices:
  - id: plc
    protocol: modbus
    host: 10.0.0.5
    tags:
      - { id: pressure, table: input-register, address: 0, type: float32 }
`;

describe('loadEdgeConfig', () => {
  it('accepts the shipped example and fills the defaults', () => {
    const config = loadEdgeConfig(join(import.meta.dirname, '..', 'examples', 'well-pad.yaml'), { FLOWLINE_STATE_DIR: join(dir, 'state') });
    expect(config.site).toBe('pad-7');
    expect(config.devices.map((d) => d.id)).toEqual(['rtu-w01', 'rtu-w02', 'rtu-w03', 'rtu-w04', 'rig-07', 'separator-01', 'fc-01']);
    expect(config.connections[0]).toMatchObject({ id: 'pad-broker', clean: true, sparkplug: { hostId: 'flowline-pad-7' } });
    expect(config.buffer).toMatchObject({
      path: join(dir, 'state', 'edge', 'pad-7', 'buffer.sqlite'),
      maxSamples: 10_000_000,
      whenFull: 'compact',
      maxMinutes: 10_000_000,
    });
    expect(config.pkiDir).toBe(join(dir, 'state', 'edge', 'pad-7', 'pki'));
    expect(config.topics.telemetry).toBe('scada.telemetry.raw');
  });

  it('points at the line of each mistake, with what to do', () => {
    const found = problems(`site: pad-7
devices:
  - id: plc
    protocol: modbus
    host: 10.0.0.5
    pollIntervalMs: 5
    tags:
      - { id: pressure, table: input-register, address: 0 }
      - { id: level, table: coil, address: 1, type: float32 }
      - id: name
        table: holding-register
        address: 10
        type: string
      - { id: temp, table: input-register, address: 3, type: int16, writable: { min: 0, max: 10 } }
`);
    const at = (path: string) => found.find((p) => p.path === path);
    expect(at('devices.0.pollIntervalMs')).toMatchObject({ line: 6 });
    expect(at('devices.0.tags.0.type')).toMatchObject({ line: 8, message: expect.stringContaining('needs a type') });
    expect(at('devices.0.tags.1.type')).toMatchObject({ line: 9, message: expect.stringContaining('use type bool') });
    expect(at('devices.0.tags.2.length')).toMatchObject({ line: 10, message: expect.stringContaining('how many registers') });
    expect(at('devices.0.tags.3.writable')).toMatchObject({ line: 14, message: expect.stringContaining('read-only in Modbus') });
  });

  it('names unknown keys, duplicate ids and inconsistent security settings', () => {
    const found = problems(`site: pad-7
devices:
  - id: rig
    protocol: opcua
    endpoint: opc.tcp://10.0.0.9:4840
    securityMode: SignAndEncrypt
    tags:
      - { id: load, nodeId: "ns=1;s=Rig.HookLoad", deadband: { type: percent, value: 150 } }
      - { id: load, nodeId: "Rig.HookLoad" }
  - id: rig
    protocol: modbus
    host: 10.0.0.5
    unitid: 3
    tags:
      - { id: x, table: coil, address: 0 }
`);
    const at = (path: string) => found.find((p) => p.path === path);
    expect(at('devices.0.securityPolicy')?.message).toMatch(/needs a securityPolicy such as Basic256Sha256/);
    expect(at('devices.0.tags.0.deadband.value')).toMatchObject({ line: 8, message: expect.stringContaining('0–100') });
    expect(at('devices.0.tags.1.nodeId')).toMatchObject({ line: 9, message: expect.stringContaining('ns=1;s=Rig.HookLoad') });
    expect(at('devices.0.tags.1.id')?.message).toMatch(/duplicate tag id load/);
    expect(at('devices.1.id')).toMatchObject({ line: 10, message: expect.stringContaining('duplicate device id rig') });
    expect(at('devices.1')).toMatchObject({ line: 13, message: expect.stringContaining('unitid') });
  });

  it('refuses viewer as a writer role (seed 004: read-only)', () => {
    const found = problems(`${base}commands:\n  roles: [operator, viewer]\n`);
    expect(found[0]).toMatchObject({ path: 'commands.roles', line: 9, message: expect.stringContaining('read-only') });
  });

  it('reads secrets from the environment and says which variable is missing', () => {
    const yaml = `${base}kafka:\n  brokers: [k1:9092]\n  sasl: { mechanism: scram-sha-512, username: edge, passwordEnv: EDGE_KAFKA_PASSWORD }\n`;
    expect(() => load(yaml).load()).toThrow(/kafka.sasl.passwordEnv: the environment variable EDGE_KAFKA_PASSWORD is not set/);
    expect(load(yaml, { EDGE_KAFKA_PASSWORD: 'pw' }).load().kafkaSaslPassword).toBe('pw');
  });

  it('resolves relative paths against the file and checks that named files exist', () => {
    const yaml = `${base}buffer: { path: data/buffer.sqlite }\nkafka:\n  brokers: [k1:9092]\n  ssl: { caFile: ca.pem }\n`;
    expect(() => load(yaml).load()).toThrow(new RegExp(`kafka.ssl.caFile: ${join(dir, 'ca.pem').replaceAll('.', '\\.')} does not exist`));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    expect(load(yaml).load().buffer.path).toBe(join(dir, 'data', 'buffer.sqlite'));
  });

  it('points at the line of each MQTT and Sparkplug mistake, with what to do', () => {
    const found = problems(`site: pad-7
connections:
  - id: pad-broker
    protocol: mqtt
    url: mqtt://10.0.0.9:1883
    sparkplug: { hostId: flowline/pad-7 }
    clean: false
  - id: secure
    protocol: mqtt
    url: mqtt://10.0.0.9:1883
    tls: { caFile: ca.pem }
    passwordEnv: MQTT_PASSWORD
devices:
  - id: separator-01
    protocol: sparkplug
    connection: secure
    groupId: campo-norte
    edgeNodeId: pad-7-gateway
    tags:
      - { id: level, metric: Separator/Level }
      - { id: level_again, metric: Separator/Level }
      - { id: rebirth, metric: Node Control/Rebirth, writable: { min: 0, max: 1 } }
  - id: fc-01
    protocol: mqtt
    connection: nowhere
    subscriptions:
      - { topic: "pad7/fc-01/#/x", tag: { level: 2 } }
      - { topic: pad7/fc-01/+, tag: { level: 5 }, value: value }
    tags:
      - { id: gas_rate, key: GasRate, writable: { min: 0, max: 10 } }
`);
    const at = (path: string) => found.find((p) => p.path === path);
    expect(at('connections.0.sparkplug.hostId')).toMatchObject({ line: 6, message: expect.stringContaining('none of + / #') });
    expect(at('connections.0.clean')).toMatchObject({ message: expect.stringContaining('clean session (Sparkplug 3.0)') });
    expect(at('connections.1.tls')).toMatchObject({ line: 11, message: expect.stringContaining('mqtts://') });
    expect(at('connections.1.username')).toMatchObject({ message: 'a password goes with a username' });
    expect(at('devices.0.connection')).toMatchObject({ line: 16, message: expect.stringContaining('not a Sparkplug host') });
    expect(at('devices.0.tags.1.metric')).toMatchObject({ line: 21, message: 'tags.0 already reads metric Separator/Level' });
    expect(at('devices.0.tags.2.writable')).toMatchObject({ line: 22, message: expect.stringContaining('never written by commands') });
    expect(at('devices.1.connection')).toMatchObject({ line: 25, message: 'no connection nowhere: use one of pad-broker, secure' });
    expect(at('devices.1.subscriptions.0.topic')).toMatchObject({
      line: 27,
      message: expect.stringContaining('# must be a level of its own'),
    });
    expect(at('devices.1.subscriptions.1.tag.level')).toMatchObject({ line: 28, message: 'pad7/fc-01/+ has 3 levels (0–2)' });
    expect(at('devices.1.subscriptions.1.value')).toMatchObject({ line: 28, message: expect.stringContaining('starts with $') });
    expect(at('devices.1.tags.0.writable')).toMatchObject({ line: 30, message: expect.stringContaining('make it a sparkplug device') });
  });

  it('reads an MQTT password from the environment and checks the TLS files', () => {
    const yaml = `${base}connections:
  - { id: b, protocol: mqtt, url: "mqtts://broker:8883", username: edge, passwordEnv: EDGE_MQTT_PASSWORD, tls: { certFile: edge.pem, keyFile: edge.key } }
`;
    expect(() => load(yaml).load()).toThrow(/connections.0.passwordEnv: the environment variable EDGE_MQTT_PASSWORD is not set/);
    expect(() => load(yaml).load()).toThrow(
      new RegExp(`connections.0.tls.certFile: ${join(dir, 'edge.pem').replaceAll('.', '\\.')} does not exist`),
    );
    writeFileSync(join(dir, 'edge.pem'), 'cert');
    writeFileSync(join(dir, 'edge.key'), 'key');
    const config = load(yaml, { EDGE_MQTT_PASSWORD: 'pw' }).load();
    // A plain MQTT connection keeps a persistent session unless told otherwise.
    expect(config.connections[0]).toMatchObject({
      password: 'pw',
      clean: false,
      tls: { certFile: join(dir, 'edge.pem'), rejectUnauthorized: true },
    });
  });
});
