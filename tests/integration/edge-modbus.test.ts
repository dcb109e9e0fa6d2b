import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Quality } from '../../contracts/quality.ts';
import type { ModbusDevice } from '../../edge-adapter/config/modbus-device.ts';
import { ModbusDriver } from '../../edge-adapter/modbus/modbus-driver.ts';
import { ModbusLink } from '../../edge-adapter/modbus/modbus-link.ts';
import { DeviceStatusBoard } from '../../edge-adapter/ops/device-status.ts';
import { createEdgeMetrics } from '../../edge-adapter/ops/edge-metrics.ts';
import { benchBase, scratchBase } from '../../edge-adapter/simulators/modbus-image.ts';
import { ModbusSimulator, silentUnit } from '../../edge-adapter/simulators/modbus-simulator.ts';
import { knownBits, knownVectorAddresses, knownVectors, selfTestBase } from '../../edge-adapter/simulators/self-test-vectors.ts';
import { WellPad } from '../../edge-adapter/simulators/well-pad.ts';
import { edgeConfig, projectTempDir, testLog } from '../support/edge-harness.ts';

/**
 * The Modbus side against the simulator on loopback: known register vectors decoded in
 * every type and byte/word order, over Modbus TCP and RTU over TCP; reads grouped into
 * the fewest requests (counted on the wire); failures turned into bad-quality samples;
 * setpoints written with each write function code.
 */
const dir = projectTempDir('edge-modbus');
const pad = new WellPad({ seed: 3 });
const simulator = new ModbusSimulator({ pad, port: 0, rtuOverTcpPort: 0 });
const drivers: { driver: ModbusDriver; link: ModbusLink }[] = [];

beforeAll(async () => {
  await simulator.start();
});
afterAll(async () => {
  for (const { driver, link } of drivers) {
    await driver.stop();
    await link.close();
  }
  await simulator.stop();
});

function driverFor(device: Record<string, unknown>) {
  const config = edgeConfig({ site: 'test', devices: [{ protocol: 'modbus', host: '127.0.0.1', port: simulator.port, ...device }] }, dir);
  const modbus = config.devices[0] as ModbusDevice;
  const status = new DeviceStatusBoard();
  status.register(modbus.id, 'modbus');
  const metrics = createEdgeMetrics(
    { bufferDepth: () => 0, bufferCapacity: () => 0, bufferBytes: () => 0, bufferMinutes: () => 0, sinkUp: () => true, devices: () => [] },
    { processMetrics: false },
  );
  const link = new ModbusLink(modbus, testLog);
  const driver = new ModbusDriver({ device: modbus, link, emit: () => {}, status, metrics, log: testLog });
  drivers.push({ driver, link });
  return { driver, status, device: modbus };
}

const addresses = knownVectorAddresses();
const vectorTags = (table: 'holding-register' | 'input-register') =>
  knownVectors.map((v) => ({
    id: `${v.id}-${table}`,
    table,
    address: addresses.get(v.id),
    type: v.type,
    byteOrder: v.byteOrder,
    wordOrder: v.wordOrder,
    ...(v.length ? { length: v.length } : {}),
    ...(v.bit !== undefined ? { bit: v.bit } : {}),
  }));
const bitTags = (table: 'coil' | 'discrete-input') =>
  knownBits.map((_, i) => ({ id: `bit${i}-${table}`, table, address: selfTestBase + i }));

function expectKnownValues(
  samples: { tagId: string; value: number; quality: number }[],
  attributes: Record<string, string>,
  suffix: string,
) {
  for (const vector of knownVectors) {
    const id = `${vector.id}-${suffix}`;
    if (typeof vector.value === 'string') {
      expect(attributes[id], id).toBe(vector.value);
      continue;
    }
    const sample = samples.find((s) => s.tagId === id);
    expect(sample, id).toMatchObject({ value: vector.value, quality: Quality.GOOD });
  }
}

describe('Modbus against the simulator', () => {
  it('decodes every data type in every byte and word order (FC3 and FC4, known vectors)', async () => {
    const { driver, status } = driverFor({
      id: 'vectors',
      unitId: 1,
      tags: [...vectorTags('holding-register'), ...vectorTags('input-register')],
    });
    const samples = await driver.pollOnce();
    const attributes = status.get('vectors')?.attributes ?? {};
    expectKnownValues(samples, attributes, 'holding-register');
    expectKnownValues(samples, attributes, 'input-register');
    // Two string tags are text, not telemetry: every other tag is one sample.
    expect(samples).toHaveLength(2 * (knownVectors.length - 2));
  });

  it('reads coils and discrete inputs (FC1 and FC2)', async () => {
    const { driver } = driverFor({ id: 'bits', unitId: 1, tags: [...bitTags('coil'), ...bitTags('discrete-input')] });
    const samples = await driver.pollOnce();
    knownBits.forEach((bit, i) => {
      expect(samples.find((s) => s.tagId === `bit${i}-coil`)?.value).toBe(bit ? 1 : 0);
      expect(samples.find((s) => s.tagId === `bit${i}-discrete-input`)?.value).toBe(bit ? 1 : 0);
    });
  });

  it('decodes the same vectors over RTU framing on TCP', async () => {
    const { driver, status } = driverFor({
      id: 'rtu',
      transport: 'rtu-over-tcp',
      port: simulator.rtuOverTcpPort,
      unitId: 1,
      tags: vectorTags('holding-register'),
    });
    const samples = await driver.pollOnce();
    expectKnownValues(samples, status.get('rtu')?.attributes ?? {}, 'holding-register');
  });

  it('applies scale and offset to engineering units', async () => {
    const { driver } = driverFor({
      id: 'scaled',
      unitId: 1,
      tags: [{ id: 'scaled', table: 'holding-register', address: addresses.get('u16-big'), type: 'uint16', scale: 0.01, offset: -100 }],
    });
    const [sample] = await driver.pollOnce();
    expect(sample?.value).toBeCloseTo(54321 * 0.01 - 100, 9);
  });

  it('groups contiguous registers into the fewest requests the protocol allows, counted on the wire', async () => {
    // 300 two-register tags over 600 contiguous registers, three separate runs of holding
    // registers, and 116 coils read 50 at a time. uint32, not float32: the bench registers
    // count with the clock, so a float's high word lands on NaN's exponent in about one
    // run in 45, and a NaN reads as a sensor fault — true, but not what this test counts.
    const pairs = Array.from({ length: 300 }, (_, i) => ({
      id: `u${i}`,
      table: 'input-register',
      address: benchBase + i * 2,
      type: 'uint32',
    }));
    const holding = [0, 1].map((i) => ({
      id: `h${i}`,
      table: 'holding-register',
      address: addresses.get('u16-big') ?? 0,
      type: 'uint16',
      offset: i,
    }));
    const scratch = [0, 1, 2].map((i) => ({ id: `s${i}`, table: 'holding-register', address: scratchBase + i * 10, type: 'uint16' }));
    const coils = [
      ...Array.from({ length: 16 }, (_, i) => selfTestBase + i),
      ...Array.from({ length: 100 }, (_, i) => scratchBase + i),
    ].map((address) => ({
      id: `c${address}`,
      table: 'coil',
      address,
    }));
    const { driver } = driverFor({ id: 'grouping', unitId: 1, maxBitsPerRequest: 50, tags: [...pairs, ...holding, ...scratch, ...coils] });
    simulator.requests.length = 0;
    const samples = await driver.pollOnce();
    expect(samples.filter((s) => s.quality !== Quality.GOOD)).toEqual([]);
    const wire = simulator.requests.map((r) => [r.functionCode, r.address, r.quantity]);
    expect(wire).toEqual([
      [1, selfTestBase, 16],
      [1, scratchBase, 50],
      [1, scratchBase + 50, 50],
      [3, addresses.get('u16-big'), 1], // two views of one register: one read
      [3, scratchBase, 1],
      [3, scratchBase + 10, 1],
      [3, scratchBase + 20, 1],
      [4, benchBase, 124], // 62 pairs; a 63rd would need 126 registers
      [4, benchBase + 124, 124],
      [4, benchBase + 248, 124],
      [4, benchBase + 372, 124],
      [4, benchBase + 496, 104],
    ]);
    expect(wire).toHaveLength(driver.requests.length);
  });

  it('spans gaps only when maxGap allows it', async () => {
    const scratch = [0, 1, 2].map((i) => ({ id: `s${i}`, table: 'holding-register', address: scratchBase + i * 10, type: 'uint16' }));
    const { driver } = driverFor({ id: 'gaps', unitId: 1, maxGap: 9, tags: scratch });
    simulator.requests.length = 0;
    await driver.pollOnce();
    expect(simulator.requests.map((r) => [r.functionCode, r.address, r.quantity])).toEqual([[3, scratchBase, 21]]);
  });

  it('turns a device exception into bad-quality samples for every tag of that request, and recovers', async () => {
    const { driver, status } = driverFor({
      id: 'faulty',
      unitId: 1,
      wordOrder: 'little',
      tags: [
        { id: 'w1-tubing-pressure', table: 'input-register', address: 0, type: 'float32' },
        { id: 'w1-casing-pressure', table: 'input-register', address: 2, type: 'float32' },
        { id: 'rtu-uptime', table: 'input-register', address: 40, type: 'uint32' },
        { id: 'unmapped', table: 'input-register', address: 7000, type: 'uint16' },
      ],
    });
    const before = await driver.pollOnce();
    expect(before.find((s) => s.tagId === 'w1-tubing-pressure')?.quality).toBe(Quality.GOOD);
    // The device answers exception 2 (illegal data address) for an address it does not have.
    expect(before.find((s) => s.tagId === 'unmapped')).toMatchObject({ quality: Quality.BAD_DEVICE_FAILURE, value: 0 });

    pad.faults.inject('bad-quality', 'W1.TubingPressure', 60_000);
    const during = await driver.pollOnce();
    const good = before.find((s) => s.tagId === 'w1-casing-pressure')?.value;
    // Both tags share the failed request: both are bad, each with its last good value.
    expect(during.find((s) => s.tagId === 'w1-tubing-pressure')?.quality).toBe(Quality.BAD_DEVICE_FAILURE);
    expect(during.find((s) => s.tagId === 'w1-casing-pressure')).toMatchObject({ quality: Quality.BAD_DEVICE_FAILURE, value: good });
    expect(during.find((s) => s.tagId === 'rtu-uptime')?.quality).toBe(Quality.GOOD);
    expect(status.get('faulty')?.state).toBe('connected'); // it answered, with an exception

    pad.faults.clear();
    const after = await driver.pollOnce();
    expect(after.find((s) => s.tagId === 'w1-tubing-pressure')?.quality).toBe(Quality.GOOD);
  });

  it('retries a request that times out, then reports the tag bad (never silence)', async () => {
    const { driver, status } = driverFor({
      id: 'dead-rtu',
      unitId: silentUnit,
      timeoutMs: 200,
      retries: 2,
      tags: [{ id: 'level', table: 'holding-register', address: 0, type: 'uint16' }],
    });
    simulator.requests.length = 0;
    const samples = await driver.pollOnce();
    expect(samples).toEqual([expect.objectContaining({ tagId: 'level', quality: Quality.BAD_COMM_FAILURE, value: 0 })]);
    expect(simulator.requests.filter((r) => r.unitId === silentUnit)).toHaveLength(3); // 1 + 2 retries
    expect(status.get('dead-rtu')?.state).toBe('disconnected');
  });

  it('reports a lost connection as bad quality and reconnects when the device is back', async () => {
    const { driver, status } = driverFor({
      id: 'flaky',
      unitId: 1,
      wordOrder: 'little',
      timeoutMs: 500,
      retries: 0,
      tags: [{ id: 'p', table: 'input-register', address: 0, type: 'float32' }],
    });
    expect((await driver.pollOnce())[0]?.quality).toBe(Quality.GOOD);
    await simulator.disconnect(1_500);
    // A request caught by the drop times out (communication failure); the next finds no connection.
    const lost = [...(await driver.pollOnce()), ...(await driver.pollOnce())];
    expect(lost.map((s) => s.quality)).toContain(Quality.BAD_NOT_CONNECTED);
    expect(lost.every((s) => s.quality === Quality.BAD_NOT_CONNECTED || s.quality === Quality.BAD_COMM_FAILURE)).toBe(true);
    expect(status.get('flaky')?.state).toBe('disconnected');
    // The link backs off a second before it tries again; poll until the device answers.
    let quality = lost[0]?.quality;
    const deadline = Date.now() + 30_000;
    while (quality !== Quality.GOOD && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      quality = (await driver.pollOnce())[0]?.quality;
    }
    expect(quality).toBe(Quality.GOOD);
    expect(status.get('flaky')?.state).toBe('connected');
  });

  it('writes setpoints with FC5, FC6, FC15 and FC16', async () => {
    const scratchTag = (id: string, offset: number, extra: Record<string, unknown>) => ({
      id,
      table: 'holding-register',
      address: scratchBase + offset,
      writable: { min: -1e9, max: 1e9 },
      ...extra,
    });
    const { driver } = driverFor({
      id: 'writer',
      unitId: 1,
      tags: [
        scratchTag('u16', 0, { type: 'uint16', scale: 0.1 }),
        scratchTag('f32', 2, { type: 'float32', wordOrder: 'little' }),
        scratchTag('i32', 4, { type: 'int32', byteOrder: 'little', wordOrder: 'little' }),
        { id: 'valve', table: 'coil', address: scratchBase + 3, writable: { min: 0, max: 1 } },
      ],
    });
    const { driver: multiple } = driverFor({
      id: 'writer-multiple',
      unitId: 1,
      writeMultiple: true,
      tags: [
        scratchTag('u16', 10, { type: 'uint16' }),
        { id: 'valve', table: 'coil', address: scratchBase + 4, writable: { min: 0, max: 1 } },
      ],
    });
    simulator.requests.length = 0;
    await driver.write('u16', 123.4);
    await driver.write('f32', 123.456);
    await driver.write('i32', -123456789);
    await driver.write('valve', 1);
    await multiple.write('u16', 7);
    await multiple.write('valve', 1);
    expect(simulator.requests.map((r) => r.functionCode)).toEqual([6, 16, 16, 5, 16, 15]);
    const { words, bits } = simulator.image.scratch();
    expect(words.slice(0, 1)).toEqual([1234]);
    expect(words.slice(2, 4)).toEqual([0xe979, 0x42f6]); // CDAB
    expect(words.slice(4, 6)).toEqual([0xeb32, 0xa4f8]); // DCBA
    expect(words[10]).toBe(7);
    expect(bits.slice(3, 5)).toEqual([true, true]);
    // What a register cannot hold is refused before anything goes on the wire.
    expect(driver.checkWrite('u16', 123.45)).toMatch(/resolution of 0.1/);
    expect(driver.checkWrite('u16', 7000)).toMatch(/does not fit/);
    expect(driver.checkWrite('valve', 0.5)).toMatch(/write 0 or 1/);
  });
});
