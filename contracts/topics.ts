import type { z } from 'zod';
import { Alarm } from './alarm.ts';
import { TelemetryRaw, TelemetryValidated } from './telemetry.ts';

/**
 * Topic → schema of its events' `data`. Topic names follow `<domain>.<entity>.<event-type>`
 * (seed 000). Dead letters go to `<topic>.dlq` and carry the original event unchanged.
 */
export const topics = {
  'scada.telemetry.raw': TelemetryRaw,
  'scada.telemetry.validated': TelemetryValidated,
  'scada.alarms': Alarm,
} as const satisfies Record<string, z.ZodType>;

export type Topic = keyof typeof topics;
export type TopicData<T extends Topic> = z.infer<(typeof topics)[T]>;
