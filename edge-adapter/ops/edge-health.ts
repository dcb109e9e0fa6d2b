import type { ForwarderStatus } from '../store-and-forward/forwarder.ts';
import type { DeviceStatus } from './device-status.ts';

/** What /healthz answers: enough for an operator to see, at a glance, what the pad's link is doing. */
export interface EdgeHealth {
  /** ok: every device connected and the sink reachable; degraded otherwise (the adapter still works). */
  status: 'ok' | 'degraded';
  version: string;
  site: string;
  uptimeSeconds: number;
  devices: Record<string, Omit<DeviceStatus, 'id'>>;
  sink: ForwarderStatus;
  buffer: {
    depth: number;
    capacity: number;
    policy: string;
    dropped: number;
    /** Samples compacted into minute rollups, and the minutes still waiting. */
    compacted: number;
    pendingMinutes: number;
    minuteCapacity: number;
    /** Unreadable buffer files moved aside at start. */
    corruptFilesMovedAside: number;
    bytesOnDisk: number;
    oldestSampleAt: string | null;
    pendingEvents: number;
  };
  commands: { enabled: boolean; listening: boolean | null };
}

export function healthStatus(devices: readonly DeviceStatus[], sink: ForwarderStatus): EdgeHealth['status'] {
  return devices.every((d) => d.state === 'connected') && sink.state === 'connected' ? 'ok' : 'degraded';
}
