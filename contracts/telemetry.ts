import { z } from 'zod';

/** Epoch milliseconds, as seed 000's Avro `long`. */
// Up to 2100-01-01: a later stamp is a broken clock, and every store downstream can hold it.
export const EpochMillis = z.number().int().nonnegative().max(4_102_444_800_000).describe('epoch milliseconds (UTC)');

/**
 * Identifiers travel as Kafka keys, Redis key parts and URL segments: keep them to a
 * safe alphabet so none of those needs escaping.
 */
export const Identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits and . _ : - (start with a letter or digit)');

export const SourceProtocol = z.enum(['MODBUS', 'OPCUA', 'MQTT', 'HTTP', 'SIMULATOR']);
export type SourceProtocol = z.infer<typeof SourceProtocol>;

/** One sample read from a PLC/RTU tag (seed 000, `TelemetryRaw`). */
export const TelemetryRaw = z
  .object({
    timestamp: EpochMillis,
    deviceId: Identifier,
    tagId: Identifier,
    value: z.number().finite(),
    quality: z.number().int().min(0).max(255).describe('OPC DA quality byte, see contracts/quality.ts'),
    sourceProtocol: SourceProtocol,
  })
  .strict();
export type TelemetryRaw = z.infer<typeof TelemetryRaw>;

export const TelemetryStatus = z.enum(['good', 'suspect', 'bad']);
export type TelemetryStatus = z.infer<typeof TelemetryStatus>;

/** Why a sample is suspect or bad. Several may apply at once. */
export const TelemetryFlag = z.enum([
  'quality-uncertain',
  'quality-bad',
  'out-of-range',
  'rate-of-change',
  'spike',
  'frozen',
  'stale',
  'unknown-tag',
  'out-of-order',
  // Stamped too far ahead of, or behind, the moment it was received: the device's clock
  // (or its unit: seconds for milliseconds) is wrong. Bad, and kept out of current values.
  'clock-skew',
]);
export type TelemetryFlag = z.infer<typeof TelemetryFlag>;

/** A raw sample after validation and enrichment from the asset registry. */
export const TelemetryValidated = TelemetryRaw.extend({
  status: TelemetryStatus,
  flags: z.array(TelemetryFlag),
  unit: z.string().max(32).optional(),
  tenantId: Identifier,
  fieldId: Identifier.optional(),
  wellId: Identifier.optional(),
  receivedAt: EpochMillis.describe('when validate processed the sample'),
}).strict();
export type TelemetryValidated = z.infer<typeof TelemetryValidated>;

/** Whether a validated sample counts as a measurement: not bad, and not overtaken by a newer one (validate's flag). */
export function isMeasurement(sample: Pick<TelemetryValidated, 'status' | 'flags'>): boolean {
  return sample.status !== 'bad' && !sample.flags.includes('out-of-order');
}

/**
 * Events grouped by the sample time they carry, in the order each time first came: a device's
 * poll, judged together. A poll split across two chunks comes as two groups, one per chunk.
 */
export function pollsOf<E extends { data: { timestamp: number } }>(events: readonly E[]): [E, ...E[]][] {
  const polls = new Map<number, [E, ...E[]]>();
  for (const event of events) {
    const poll = polls.get(event.data.timestamp);
    if (poll) poll.push(event);
    else polls.set(event.data.timestamp, [event]);
  }
  return [...polls.values()];
}
