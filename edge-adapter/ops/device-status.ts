import type { DeviceProtocol } from '../config/edge-config.ts';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface DeviceStatus {
  id: string;
  protocol: DeviceProtocol;
  state: ConnectionState;
  since: string;
  lastError: string | undefined;
  lastSampleAt: string | undefined;
  samples: number;
  badSamples: number;
  /** Text read from the device (firmware, serial number): strings are not telemetry. */
  attributes: Record<string, string>;
  /** Faults the device's data showed (malformed payloads, Sparkplug seq gaps, deaths…), counted by kind since start. */
  faults: Record<string, number>;
}

/** The connection state of every device, as /healthz and the metrics report it. */
export class DeviceStatusBoard {
  private readonly devices = new Map<string, DeviceStatus>();

  register(id: string, protocol: DeviceStatus['protocol']): void {
    this.devices.set(id, {
      id,
      protocol,
      state: 'connecting',
      since: new Date().toISOString(),
      lastError: undefined,
      lastSampleAt: undefined,
      samples: 0,
      badSamples: 0,
      attributes: {},
      faults: {},
    });
  }

  /** Returns true when the state changed (worth a log line). */
  setState(id: string, state: ConnectionState, error?: string): boolean {
    const device = this.devices.get(id);
    if (!device) return false;
    if (error !== undefined) device.lastError = error;
    else if (state === 'connected') device.lastError = undefined;
    if (device.state === state) return false;
    device.state = state;
    device.since = new Date().toISOString();
    return true;
  }

  sampled(id: string, good: number, bad: number, at: number): void {
    const device = this.devices.get(id);
    if (!device) return;
    device.samples += good + bad;
    device.badSamples += bad;
    device.lastSampleAt = new Date(at).toISOString();
  }

  /** Counts one fault of `kind` and keeps `message` as the device's last error; the connection state is left as it is. */
  fault(id: string, kind: string, message: string): void {
    const device = this.devices.get(id);
    if (!device) return;
    device.faults[kind] = (device.faults[kind] ?? 0) + 1;
    device.lastError = message;
  }

  setAttribute(id: string, name: string, value: string): void {
    const device = this.devices.get(id);
    if (device) device.attributes[name] = value;
  }

  get(id: string): DeviceStatus | undefined {
    const device = this.devices.get(id);
    return device && { ...device, attributes: { ...device.attributes }, faults: { ...device.faults } };
  }

  all(): DeviceStatus[] {
    return [...this.devices.values()].map((d) => ({ ...d, attributes: { ...d.attributes }, faults: { ...d.faults } }));
  }
}
