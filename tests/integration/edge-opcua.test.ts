import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Quality } from '../../contracts/quality.ts';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import { type EdgeAdapter, startEdgeAdapter } from '../../edge-adapter/edge-adapter.ts';
import { OpcUaSimulator } from '../../edge-adapter/simulators/opcua-simulator.ts';
import { WellPad } from '../../edge-adapter/simulators/well-pad.ts';
import { callbackSink } from '../../edge-adapter/sinks/callback-sink.ts';
import { collectingSink, edgeConfig, projectTempDir, testLog } from '../support/edge-harness.ts';
import { until } from '../support/kafka.ts';

/**
 * OPC UA against the simulator on loopback: a subscription whose monitored items apply
 * absolute and percent deadbands, status codes mapped to the quality scale, writes, and
 * a server restart the subscription survives.
 */
const dir = projectTempDir('edge-opcua');
const pad = new WellPad({ seed: 5 });
const simulator = new OpcUaSimulator({ pad, port: 0, pkiDir: join(dir, 'server-pki') });
const sink = collectingSink();
let adapter: EdgeAdapter;

beforeAll(async () => {
  await simulator.start();
  const config = edgeConfig(
    {
      site: 'test',
      buffer: { path: ':memory:' },
      publish: { lingerMs: 0 },
      devices: [
        {
          id: 'lab',
          protocol: 'opcua',
          endpoint: simulator.endpoint,
          publishingIntervalMs: 100,
          samplingIntervalMs: 100,
          reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
          acceptUnknownServerCertificate: true,
          tags: [
            { id: 'ramp', nodeId: 'ns=1;s=Lab.Ramp' },
            { id: 'ramp-absolute', nodeId: 'ns=1;s=Lab.Ramp', deadband: { type: 'absolute', value: 1.0 } },
            // 5 % of the 0–100 EURange: 5 units.
            { id: 'ramp-percent', nodeId: 'ns=1;s=Lab.Ramp', deadband: { type: 'percent', value: 5 } },
            { id: 'separator-pressure', nodeId: 'ns=1;s=Separator.Pressure' },
            { id: 'text', nodeId: 'ns=1;s=Lab.Text' },
            { id: 'missing', nodeId: 'ns=1;s=Lab.DoesNotExist' },
            // By namespace URI, as configurations should: the index is the server's to change.
            { id: 'separator-temperature', nodeId: 'nsu=urn:flowline:well-pad-simulator;s=Separator.Temperature' },
            { id: 'foreign', nodeId: 'nsu=urn:nowhere;s=X' },
            { id: 'setpoint', nodeId: 'ns=1;s=Lab.Setpoint', writable: { min: -1000, max: 1000 } },
          ],
        },
      ],
    },
    dir,
  );
  adapter = startEdgeAdapter({ config, sink: callbackSink(sink.publish), log: testLog, processMetrics: false });
  await until(async () => adapter.health().devices.lab?.state === 'connected', 'the OPC UA session', 60_000);
});
afterAll(async () => {
  await adapter?.stop();
  await simulator.stop();
});

const good = (samples: TelemetryRaw[]) => samples.filter((s) => s.quality === Quality.GOOD);
const steps = (samples: TelemetryRaw[]) =>
  good(samples).flatMap((s, i, all) => (i === 0 ? [] : [Math.abs(s.value - (all[i - 1]?.value ?? 0))]));

describe('OPC UA against the simulator', () => {
  it('applies absolute and percent deadbands on the server', async () => {
    // The ramp climbs 1 unit a second: a percent sample every ~5 s, an absolute one every ~1 s.
    await sink.waitFor(
      'samples past each deadband',
      () => good(sink.of('lab', 'ramp-percent')).length >= 4 && good(sink.of('lab', 'ramp-absolute')).length >= 8,
    );
    // Without a deadband every 0.1 step of the ramp arrives (or a few, when sampling lags).
    const raw = steps(sink.of('lab', 'ramp'));
    expect(raw.filter((d) => d < 0.95).length).toBeGreaterThan(raw.length / 2);
    // With one, a value is reported only once it moved more than the deadband from the last one reported.
    expect(Math.min(...steps(sink.of('lab', 'ramp-absolute')))).toBeGreaterThan(1.0);
    expect(Math.min(...steps(sink.of('lab', 'ramp-percent')))).toBeGreaterThan(5.0);
    expect(good(sink.of('lab', 'ramp-absolute')).length).toBeLessThan(good(sink.of('lab', 'ramp')).length);
  });

  it('reports what cannot be telemetry as a configuration error, not silence', async () => {
    await sink.waitFor('the text and missing tags', () => sink.of('lab', 'text').length > 0 && sink.of('lab', 'missing').length > 0);
    expect(sink.of('lab', 'text')[0]?.quality).toBe(Quality.BAD_CONFIG_ERROR);
    expect(sink.of('lab', 'missing')[0]?.quality).toBe(Quality.BAD_CONFIG_ERROR);
  });

  it('resolves NodeIds given by namespace URI', async () => {
    await sink.waitFor('the separator temperature', () => sink.of('lab', 'separator-temperature').some((s) => s.quality === Quality.GOOD));
    await sink.waitFor('the foreign namespace reported', () =>
      sink.of('lab', 'foreign').some((s) => s.quality === Quality.BAD_CONFIG_ERROR),
    );
  });

  it('maps a bad status code onto the quality scale', async () => {
    pad.faults.inject('bad-quality', 'Separator.Pressure', 60_000);
    await sink.waitFor('a bad separator pressure', () =>
      sink.of('lab', 'separator-pressure').some((s) => s.quality === Quality.BAD_SENSOR_FAILURE),
    );
    pad.faults.clear();
    const since = Date.now();
    await sink.waitFor('a good separator pressure again', () =>
      sink.of('lab', 'separator-pressure').some((s) => s.quality === Quality.GOOD && s.timestamp >= since),
    );
  });

  it('writes a setpoint to a node', async () => {
    await adapter.drivers.get('lab')?.write('setpoint', 42.5);
    expect(simulator.labSetpointValue).toBe(42.5);
    await sink.waitFor('the written value read back', () => sink.of('lab', 'setpoint').some((s) => s.value === 42.5));
  });

  it('reconnects after the server restarts and recovers the subscription', async () => {
    const before = sink.of('lab', 'ramp').length;
    await simulator.restart();
    const restartedAt = Date.now();
    // While it was gone, every tag got a not-connected sample: the outage is on record.
    await sink.waitFor(
      'not-connected samples',
      () =>
        sink
          .of('lab', 'ramp')
          .slice(before)
          .some((s) => s.quality === Quality.BAD_NOT_CONNECTED),
      60_000,
    );
    await until(async () => adapter.health().devices.lab?.state === 'connected', 'the session to come back', 90_000);
    await sink.waitFor(
      'ramp samples from the restarted server',
      () => good(sink.of('lab', 'ramp')).filter((s) => s.timestamp > restartedAt).length >= 5,
      90_000,
    );
    // The deadbands came back with the subscription.
    await sink.waitFor(
      'deadband samples after the restart',
      () => good(sink.of('lab', 'ramp-absolute')).filter((s) => s.timestamp > restartedAt).length >= 3,
      60_000,
    );
    expect(Math.min(...steps(good(sink.of('lab', 'ramp-absolute')).filter((s) => s.timestamp > restartedAt)))).toBeGreaterThan(1.0);
    // Per tag, time never went backwards, across the outage.
    for (const tag of ['ramp', 'ramp-absolute', 'separator-pressure']) {
      const times = sink.of('lab', tag).map((s) => s.timestamp);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });
});
