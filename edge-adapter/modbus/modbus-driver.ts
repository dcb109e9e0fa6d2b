import type { Logger } from 'pino';
import { Quality, qualityFromModbusFailure } from '../../contracts/quality.ts';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import type { ModbusDevice, ModbusTable } from '../config/modbus-device.ts';
import type { DeviceDriver, EmitSamples } from '../device-driver.ts';
import type { DeviceStatusBoard } from '../ops/device-status.ts';
import { countByQuality, type EdgeMetrics } from '../ops/edge-metrics.ts';
import { classifyModbusError, type ModbusClient, type ModbusLink, type ModbusRequestError } from './modbus-link.ts';
import { decodeRegisters } from './register-codec.ts';
import { planReads, type ReadRequest } from './request-plan.ts';
import { encodeSetpoint, engineeringValue, layoutOf } from './tag-value.ts';

export interface ModbusDriverOptions {
  device: ModbusDevice;
  link: ModbusLink;
  emit: EmitSamples;
  status: DeviceStatusBoard;
  metrics: EdgeMetrics;
  log: Logger;
}

const functionCodes: Record<ModbusTable, string> = {
  coil: 'FC1',
  'discrete-input': 'FC2',
  'holding-register': 'FC3',
  'input-register': 'FC4',
};

function read(client: ModbusClient, request: ReadRequest): Promise<{ data: readonly (number | boolean)[] }> {
  switch (request.table) {
    case 'coil':
      return client.readCoils(request.address, request.count);
    case 'discrete-input':
      return client.readDiscreteInputs(request.address, request.count);
    case 'holding-register':
      return client.readHoldingRegisters(request.address, request.count);
    case 'input-register':
      return client.readInputRegisters(request.address, request.count);
  }
}

/**
 * Polls one Modbus device (one unit id) at its interval: every tag, in as few requests
 * as the protocol allows, each request retried on timeout. A request that fails still
 * yields one sample per tag it covers, with the failure's bad quality and the last good
 * value (0 before any): downstream sees the outage, never a silence.
 */
export class ModbusDriver implements DeviceDriver {
  readonly id: string;
  readonly protocol = 'modbus' as const;
  private readonly options: ModbusDriverOptions;
  private readonly plan: ReadRequest[];
  private readonly lastGood = new Map<string, number>();
  private running = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(options: ModbusDriverOptions) {
    this.options = options;
    this.id = options.device.id;
    const d = options.device;
    this.plan = planReads(d.tags, { maxRegisters: d.maxRegistersPerRequest, maxBits: d.maxBitsPerRequest, maxGap: d.maxGap });
  }

  /** The reads one poll cycle makes (for the logs and the tests). */
  get requests(): readonly ReadRequest[] {
    return this.plan;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const d = this.options.device;
    this.options.log.info({ requests: this.plan.length, tags: d.tags.length, pollIntervalMs: d.pollIntervalMs }, 'polling modbus device');
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
  }

  /** One full poll cycle now; resolves with the samples it emitted. */
  async pollOnce(): Promise<TelemetryRaw[]> {
    const { device, metrics, status } = this.options;
    const started = performance.now();
    const samples: TelemetryRaw[] = [];
    let failure: ModbusRequestError | undefined;
    let answered = 0;
    for (const request of this.plan) {
      const outcome = await this.exchange(request);
      if ('error' in outcome) {
        failure = outcome.error;
        if (failure.failure === 'exception') answered += 1;
        // Every failed read is on record; a cycle spent waiting out the reconnect back-off
        // read nothing, and would only flood the buffer with copies of the last bad samples.
        if (failure.attempted) samples.push(...this.failedSamples(request, outcome.error, Date.now()));
      } else {
        answered += 1;
        samples.push(...this.decode(request, outcome.data, Date.now()));
      }
    }
    metrics.pollSeconds.observe({ device: device.id }, (performance.now() - started) / 1000);
    // A device that answers, even with exception codes, is there; one that never answers is not.
    const connected = answered > 0;
    if (status.setState(device.id, connected ? 'connected' : 'disconnected', failure?.message)) {
      if (connected) metrics.reconnects.inc({ device: device.id });
      this.options.log[connected ? 'info' : 'warn']({ error: failure?.message }, connected ? 'device connected' : 'device unreachable');
    }
    const bad = countByQuality(samples, device.id, metrics);
    if (samples.length > 0) status.sampled(device.id, samples.length - bad, bad, Date.now());
    this.options.emit(samples);
    return samples;
  }

  checkWrite(tagId: string, value: number): string | undefined {
    const tag = this.options.device.tags.find((t) => t.id === tagId);
    if (!tag) return `device ${this.id} has no tag ${tagId}`;
    try {
      encodeSetpoint(value, tag, this.options.device);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  async write(tagId: string, value: number): Promise<void> {
    const { device, link, metrics } = this.options;
    const tag = device.tags.find((t) => t.id === tagId);
    if (!tag) throw new Error(`device ${this.id} has no tag ${tagId}`);
    const payload = encodeSetpoint(value, tag, device);
    const fc =
      payload.kind === 'coil' ? (device.writeMultiple ? 'FC15' : 'FC5') : device.writeMultiple || payload.words.length > 1 ? 'FC16' : 'FC6';
    // A setpoint write is idempotent (same value, same register), so a timeout may be retried.
    for (let attempt = 0; ; attempt++) {
      try {
        await link.run(device.unitId, device.timeoutMs, async (client) => {
          if (payload.kind === 'coil') {
            if (fc === 'FC15') await client.writeCoils(tag.address, [payload.state]);
            else await client.writeCoil(tag.address, payload.state);
          } else if (fc === 'FC16') await client.writeRegisters(tag.address, payload.words);
          else await client.writeRegister(tag.address, payload.words[0] ?? 0);
        });
        metrics.modbusRequests.inc({ device: device.id, function: fc, outcome: 'ok' });
        return;
      } catch (error) {
        const e = classifyModbusError(error);
        metrics.modbusRequests.inc({ device: device.id, function: fc, outcome: e.failure });
        if (e.failure !== 'timeout' || attempt >= device.retries) throw e;
      }
    }
  }

  private async run(): Promise<void> {
    const interval = this.options.device.pollIntervalMs;
    let next = Date.now();
    while (this.running) {
      try {
        await this.pollOnce();
      } catch (error) {
        // pollOnce turns device failures into samples; reaching here is a bug worth shouting about.
        this.options.log.error({ err: error }, 'poll cycle failed');
      }
      next += interval;
      const now = Date.now();
      if (now > next) {
        const missed = Math.ceil((now - next) / interval);
        this.options.metrics.pollOverruns.inc({ device: this.id }, missed);
        next += missed * interval;
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, next - now);
      });
    }
  }

  private async exchange(request: ReadRequest): Promise<{ data: readonly (number | boolean)[] } | { error: ModbusRequestError }> {
    const { device, link, metrics } = this.options;
    const fc = functionCodes[request.table];
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await link.run(device.unitId, device.timeoutMs, (client) => read(client, request));
        metrics.modbusRequests.inc({ device: device.id, function: fc, outcome: 'ok' });
        return result;
      } catch (error) {
        const e = classifyModbusError(error);
        if (e.attempted) metrics.modbusRequests.inc({ device: device.id, function: fc, outcome: e.failure });
        if (e.failure === 'timeout' && attempt < device.retries && !this.stopped) continue;
        if (e.failure === 'timeout') link.reset(`${device.id}: ${attempt + 1} timeouts in a row`);
        return { error: e };
      }
    }
  }

  private decode(request: ReadRequest, data: readonly (number | boolean)[], at: number): TelemetryRaw[] {
    const { device, status } = this.options;
    const samples: TelemetryRaw[] = [];
    for (const { tag, offset, count } of request.tags) {
      let value: number;
      if (request.table === 'coil' || request.table === 'discrete-input') {
        value = data[offset] ? 1 : 0;
      } else {
        let decoded: number | string;
        try {
          decoded = decodeRegisters(data.slice(offset, offset + count) as number[], layoutOf(tag, device));
        } catch {
          samples.push(this.sample(tag.id, this.lastGood.get(tag.id) ?? 0, qualityFromModbusFailure('decode'), at));
          continue;
        }
        if (typeof decoded === 'string') {
          status.setAttribute(device.id, tag.id, decoded);
          continue;
        }
        value = engineeringValue(decoded, tag);
      }
      if (!Number.isFinite(value)) {
        // A float register holding NaN or infinity: the device flags a fault this way.
        samples.push(this.sample(tag.id, this.lastGood.get(tag.id) ?? 0, Quality.BAD_SENSOR_FAILURE, at));
        continue;
      }
      this.lastGood.set(tag.id, value);
      samples.push(this.sample(tag.id, value, Quality.GOOD, at));
    }
    return samples;
  }

  private failedSamples(request: ReadRequest, error: ModbusRequestError, at: number): TelemetryRaw[] {
    const quality = qualityFromModbusFailure(error.failure);
    return request.tags
      .filter(({ tag }) => tag.type !== 'string')
      .map(({ tag }) => this.sample(tag.id, this.lastGood.get(tag.id) ?? 0, quality, at));
  }

  private sample(tagId: string, value: number, quality: number, timestamp: number): TelemetryRaw {
    return { timestamp, deviceId: this.id, tagId, value, quality, sourceProtocol: 'MODBUS' };
  }
}
