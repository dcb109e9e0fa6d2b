import { z } from '@hono/zod-openapi';
import type { Queryable } from '../../runtime/resources/db.ts';
import { keysetPage } from './keyset-page.ts';
import { tableRow } from './table-row.ts';

/**
 * Reads persist's `telemetry_quarantine` (functions/persist/migrations/007_clock_skew.*.sql):
 * the samples validate flagged `clock-skew`, kept out of history for the operator who fixes
 * the device. Read-only, always scoped to one tenant. (Beside the other readers of persist's
 * tables once they move to a storage/ module of their own.)
 */

export const QuarantinedSample = z
  .object({
    deviceId: z.string(),
    tagId: z.string(),
    wellId: z.string().nullable(),
    ts: z.number().int().describe('the device’s own timestamp, epoch ms'),
    receivedAt: z.number().int().describe('when validate received it, epoch ms'),
    skewMs: z.number().int().describe('ts − receivedAt: positive when the device clock is ahead, negative when behind'),
    value: z.number(),
    quality: z.number().int(),
    flags: z.array(z.string()),
    sourceProtocol: z.string(),
  })
  .openapi('QuarantinedSample');
export type QuarantinedSample = z.infer<typeof QuarantinedSample>;

export const ClockSkewedDevice = z
  .object({
    deviceId: z.string(),
    wellId: z.string().nullable(),
    count: z.number().int().describe('samples quarantined in the range'),
    firstSeenAt: z.number().int().describe('when the first of them arrived, epoch ms'),
    lastSeenAt: z.number().int().describe('when the latest of them arrived, epoch ms'),
    latestSkewMs: z.number().int().describe('ts − receivedAt of the latest: how far the clock is off now (positive: ahead)'),
    minSkewMs: z.number().int(),
    maxSkewMs: z.number().int(),
  })
  .openapi('ClockSkewedDevice');
export type ClockSkewedDevice = z.infer<typeof ClockSkewedDevice>;

/** Where a page ended: the sort key of its last sample (received, device, tag, timestamp). */
export interface QuarantinePosition {
  receivedAt: number;
  deviceId: string;
  tagId: string;
  ts: number;
}

export interface QuarantineFilter {
  tenantId: string;
  deviceId?: string | undefined;
  wellId?: string | undefined;
  /** received_at ≥ from, epoch ms. */
  from: number;
  /** received_at < to, epoch ms. */
  to: number;
}

// Sort and cursor compare on whole milliseconds (what a cursor carries), so a row stored with
// finer precision can never come back on the next page.
const receivedMs = `date_trunc('milliseconds', received_at)`;
const tsMs = `date_trunc('milliseconds', ts)`;
const epochMs = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::float8`;
const where = `tenant_id = $1 AND received_at >= $2::timestamptz AND received_at < $3::timestamptz
  AND ($4::text IS NULL OR device_id = $4) AND ($5::text IS NULL OR well_id = $5)`;
const filterParams = (q: QuarantineFilter) => [
  q.tenantId,
  new Date(q.from).toISOString(),
  new Date(q.to).toISOString(),
  q.deviceId ?? null,
  q.wellId ?? null,
];

const SampleRow = z.object({
  device_id: z.string(),
  tag_id: z.string(),
  well_id: z.string().nullable(),
  ts_ms: z.number(),
  received_ms: z.number(),
  value: z.number(),
  quality: z.number(),
  flags: z.array(z.string()),
  source_protocol: z.string(),
});

/** The newest quarantined samples first; `after` continues a previous page. Reads one row more than `limit` to tell whether another page exists. */
export async function queryQuarantinedSamples(
  db: Queryable,
  q: QuarantineFilter & { limit: number; after?: QuarantinePosition | undefined },
): Promise<{ samples: QuarantinedSample[]; next: QuarantinePosition | null }> {
  const after = q.after;
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT device_id, tag_id, well_id, ${epochMs('ts')} AS ts_ms, ${epochMs('received_at')} AS received_ms,
       value, quality, flags, source_protocol
     FROM telemetry_quarantine
     WHERE ${where}
       AND ($6::timestamptz IS NULL OR (${receivedMs}, device_id, tag_id, ${tsMs}) < ($6::timestamptz, $7::text, $8::text, $9::timestamptz))
     ORDER BY ${receivedMs} DESC, device_id DESC, tag_id DESC, ${tsMs} DESC
     LIMIT $10`,
    [
      ...filterParams(q),
      after ? new Date(after.receivedAt).toISOString() : null,
      after?.deviceId ?? null,
      after?.tagId ?? null,
      after ? new Date(after.ts).toISOString() : null,
      q.limit + 1,
    ],
  );
  const samples = rows.map((raw) => {
    const r = tableRow('telemetry_quarantine', SampleRow, raw);
    return {
      deviceId: r.device_id,
      tagId: r.tag_id,
      wellId: r.well_id,
      ts: r.ts_ms,
      receivedAt: r.received_ms,
      skewMs: r.ts_ms - r.received_ms,
      value: r.value,
      quality: r.quality,
      flags: r.flags,
      sourceProtocol: r.source_protocol,
    };
  });
  const { page, next } = keysetPage(samples, q.limit, (last) => ({
    receivedAt: last.receivedAt,
    deviceId: last.deviceId,
    tagId: last.tagId,
    ts: last.ts,
  }));
  return { samples: page, next };
}

const DeviceRow = z.object({
  device_id: z.string(),
  well_id: z.string().nullable(),
  count: z.number(),
  first_ms: z.number(),
  last_ms: z.number(),
  latest_skew_ms: z.number(),
  min_skew_ms: z.number(),
  max_skew_ms: z.number(),
});

/** Per device with quarantined samples in the range: how many, since when, and how far its clock is off; the latest first. */
export async function summarizeClockSkew(db: Queryable, q: QuarantineFilter & { maxDevices: number }): Promise<ClockSkewedDevice[]> {
  const skew = `(${epochMs('ts')} - ${epochMs('received_at')})`;
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT device_id, max(well_id) AS well_id, count(*)::int AS count,
       min(${epochMs('received_at')}) AS first_ms, max(${epochMs('received_at')}) AS last_ms,
       (array_agg(${skew} ORDER BY received_at DESC, tag_id DESC, ts DESC))[1] AS latest_skew_ms,
       min(${skew}) AS min_skew_ms, max(${skew}) AS max_skew_ms
     FROM telemetry_quarantine
     WHERE ${where}
     GROUP BY device_id
     ORDER BY last_ms DESC, device_id
     LIMIT $6`,
    [...filterParams(q), q.maxDevices],
  );
  return rows.map((raw) => {
    const r = tableRow('telemetry_quarantine', DeviceRow, raw);
    return {
      deviceId: r.device_id,
      wellId: r.well_id,
      count: r.count,
      firstSeenAt: r.first_ms,
      lastSeenAt: r.last_ms,
      latestSkewMs: r.latest_skew_ms,
      minSkewMs: r.min_skew_ms,
      maxSkewMs: r.max_skew_ms,
    };
  });
}
