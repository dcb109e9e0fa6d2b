import type { TelemetryRaw } from '../contracts/telemetry.ts';
import type { DeviceProtocol } from './config/edge-config.ts';

/** Where a driver hands what it read: called with one batch per poll cycle or publish response. */
export type EmitSamples = (samples: TelemetryRaw[]) => void;

/** What the adapter needs from a device, whatever its protocol. */
export interface DeviceDriver {
  readonly id: string;
  readonly protocol: DeviceProtocol;
  /** Begins polling or subscribing; connection problems are reported as status and bad-quality samples, never thrown. */
  start(): void;
  stop(): Promise<void>;
  /** Why `value` cannot be written to `tagId` (type range, resolution), checked without touching the device. */
  checkWrite(tagId: string, value: number): string | undefined;
  /** Writes one setpoint; rejects with the device's reason. */
  write(tagId: string, value: number): Promise<void>;
}
