import { z } from 'zod';
import { EpochMillis, Identifier, SourceProtocol, TelemetryStatus } from './telemetry.ts';

const MINUTE = 60_000;

/**
 * The samples of one tag within one minute, compacted by the edge adapter because its
 * buffer reached its bound during an outage: a rollup, never a sample. It travels on its
 * own topic so that nothing that reads samples (validate's per-tag checks, alarms, calc,
 * current values) can mistake it for one, and it is stored as a 1-minute rollup marked
 * compacted. A minute may arrive in more than one piece (two compaction passes, or samples
 * of the minute already sent raw): pieces cover disjoint samples and add up.
 */
const pieceFields = {
  deviceId: Identifier,
  tagId: Identifier,
  sourceProtocol: SourceProtocol,
  firstTimestamp: EpochMillis.describe('the earliest sample of the piece'),
  lastTimestamp: EpochMillis.describe('the latest sample of the piece; the minute is the one firstTimestamp falls in'),
  count: z.number().int().min(1),
  min: z.number().finite(),
  max: z.number().finite(),
  sum: z.number().finite().describe('of the values, so that averages over rollups stay exact'),
  last: z.number().finite().describe('the value of the latest sample'),
  worstQuality: z.number().int().min(0).max(255).describe('the worst OPC DA quality byte of the piece (contracts/quality.ts)'),
};

/** What makes a piece one minute's summary, checked wherever one is read. */
function checkPiece(ctx: z.core.ParsePayload<z.infer<z.ZodObject<typeof pieceFields>>>): void {
  const m = ctx.value;
  if (minuteOf(m.firstTimestamp) !== minuteOf(m.lastTimestamp) || m.lastTimestamp < m.firstTimestamp) {
    ctx.issues.push({
      code: 'custom',
      input: m,
      path: ['lastTimestamp'],
      message: 'firstTimestamp and lastTimestamp must lie in one minute, first before last',
    });
  }
  if (!(m.min <= m.last && m.last <= m.max)) {
    ctx.issues.push({ code: 'custom', input: m, path: ['last'], message: 'min ≤ last ≤ max must hold' });
  }
}

export const CompactedMinute = z.object(pieceFields).strict().check(checkPiece);
export type CompactedMinute = z.infer<typeof CompactedMinute>;

/** A compacted minute after validate placed it (tenant, well) and judged its quality. */
export const CompactedMinuteValidated = z
  .object({
    ...pieceFields,
    status: TelemetryStatus.describe('from the worst quality: a minute is only as good as its worst sample'),
    unit: z.string().max(32).optional(),
    tenantId: Identifier,
    fieldId: Identifier.optional(),
    wellId: Identifier.optional(),
    receivedAt: EpochMillis.describe('when validate processed the piece'),
  })
  .strict()
  .check(checkPiece);
export type CompactedMinuteValidated = z.infer<typeof CompactedMinuteValidated>;

/** The start of the minute (UTC) an instant falls in. */
export const minuteOf = (timestamp: number): number => Math.floor(timestamp / MINUTE) * MINUTE;
