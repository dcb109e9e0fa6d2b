import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Quality } from '../../contracts/quality.ts';
import { TelemetryRaw } from '../../contracts/telemetry.ts';
import { type EmbeddedEdge, startEmbeddedEdge } from '../../edge-adapter/embedded.ts';
import { collectingSink, projectTempDir, testLog } from '../support/edge-harness.ts';
import { until } from '../support/kafka.ts';

/**
 * What `npm start` runs on the edge side: the simulators on free ports (Modbus, OPC UA, and
 * an in-process MQTT broker with the Sparkplug B gateway and the JSON flow computer), the
 * shipped example configuration pointed at them, and records handed to a callback (the
 * in-process bus). Every tag of the example must arrive, with good quality.
 */
const sink = collectingSink();
const stateDir = projectTempDir('edge-embedded');
let edge: EmbeddedEdge;

beforeAll(async () => {
  edge = await startEmbeddedEdge({ publish: sink.publish, log: testLog, stateDir });
});
afterAll(async () => {
  await edge?.stop();
});

describe('the embedded edge', () => {
  it('feeds every tag of the example config from the simulators, as CloudEvents keyed by device', async () => {
    const expected = edge.config.devices.flatMap((d) =>
      d.tags.filter((t) => !('type' in t && t.type === 'string')).map((t) => `${d.id}/${t.id}`),
    );
    expect(expected.length).toBeGreaterThan(50);
    expect(expected).toEqual(expect.arrayContaining(['separator-01/separator_pressure', 'fc-01/gas_rate'])); // Sparkplug B and plain MQTT
    await sink.waitFor(
      'a good sample of every tag',
      (all) => {
        const good = new Set(all.filter((s) => s.quality === Quality.GOOD).map((s) => `${s.deviceId}/${s.tagId}`));
        return expected.every((k) => good.has(k));
      },
      90_000,
    );
    const record = sink.records.find((r) => r.topic === 'scada.telemetry.raw');
    const event = JSON.parse(String(record?.value));
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'scada.telemetry.raw',
      source: 'flowline/edge/pad-7',
      partitionkey: record?.key,
    });
    expect(TelemetryRaw.safeParse(event.data).success).toBe(true);
    expect(edge.health()).toMatchObject({ status: 'ok', site: 'pad-7', sink: { state: 'connected' } });
    expect(edge.health().devices['rtu-w01']?.attributes.firmware).toBe('FLW-RTU 4.2.1');
  });

  it('takes commands from the bus and answers them on the bus', async () => {
    const handled = await edge.handleCommand({
      commandId: 'embedded-1',
      timestamp: Date.now(),
      siteId: 'pad-7',
      deviceId: 'rtu-w01',
      tagId: 'esp_frequency_setpoint',
      value: 52,
      requestedBy: { userId: 'ana', role: 'operator' },
    });
    expect(handled).toMatchObject({ handled: true, result: { status: 'applied' } });
    expect(edge.simulators.pad.read('W1.EspFrequencySetpoint').value).toBe(52);
    await until(async () => sink.records.some((r) => r.topic === 'scada.commands.results') || undefined, 'the result on the bus');
    await until(async () => sink.records.some((r) => r.topic === 'system.audit-log') || undefined, 'the audit record on the bus');
    await sink.waitFor('the new setpoint read back', (all) =>
      all.some((s) => s.deviceId === 'rtu-w01' && s.tagId === 'esp_frequency_setpoint' && Math.abs(s.value - 52) < 1e-9),
    );
  });

  it('turns a command for the Sparkplug separator into a DCMD its PLC applies', async () => {
    const handled = await edge.handleCommand({
      commandId: 'embedded-sparkplug-1',
      timestamp: Date.now(),
      siteId: 'pad-7',
      deviceId: 'separator-01',
      tagId: 'separator_level_setpoint',
      value: 55.5,
      requestedBy: { userId: 'ana', role: 'operator' },
    });
    expect(handled).toMatchObject({ handled: true, result: { status: 'applied' } });
    // Applied means handed to the broker (Sparkplug commands are QoS 0, unacknowledged); the PLC has it a moment later.
    const writes = () => edge.simulators.mqtt?.devices.edgeNode.received.writes ?? [];
    await until(async () => writes().length > 0 || undefined, 'the DCMD at the gateway');
    expect(writes()).toEqual([{ deviceId: 'separator', metric: 'Separator/LevelSetpoint', value: 555 }]);
    await sink.waitFor('the new level setpoint read back', (all) =>
      all.some((s) => s.deviceId === 'separator-01' && s.tagId === 'separator_level_setpoint' && Math.abs(s.value - 55.5) < 1e-9),
    );
  });

  it('counts and reports the faults of the MQTT simulators, injected as on the control port, and keeps running', async () => {
    const { faults } = edge.simulators.pad;
    faults.inject('malformed', 'mqtt', 1000);
    faults.inject('malformed', 'sparkplug', 1000);
    faults.inject('seq-gap', 'sparkplug', 1000);
    await until(async () => {
      const devices = edge.health().devices;
      const fc = devices['fc-01']?.faults ?? {};
      const separator = devices['separator-01']?.faults ?? {};
      return ((fc.malformed ?? 0) >= 3 && (separator.malformed ?? 0) >= 1 && (separator['seq-gap'] ?? 0) >= 1) || undefined;
    }, 'the faults counted on /healthz');
    const before = Date.now();
    faults.inject('disconnect', 'sparkplug', 1500);
    await sink.waitFor('the separator bad while its gateway is gone', (all) =>
      all.some((s) => s.deviceId === 'separator-01' && s.timestamp >= before && s.quality === Quality.BAD_NOT_CONNECTED),
    );
    await sink.waitFor('the separator good again after its rebirth', (all) =>
      all.some((s) => s.deviceId === 'separator-01' && s.timestamp > before + 1500 && s.quality === Quality.GOOD),
    );
    expect(edge.health().devices['separator-01']?.state).toBe('connected');
  });
});
