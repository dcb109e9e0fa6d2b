import { z } from '@hono/zod-openapi';
import { AuditOutcome } from '#contracts';
import type { Queryable } from '../../runtime/resources/db.ts';
import { keysetPage } from './keyset-page.ts';
import { tableRow } from './table-row.ts';

/**
 * Reads persist's `audit_log` (functions/persist/migrations/006_audit_log.sql, 012 for its
 * tenant column): the facts the gateway, the functions and the edge published on
 * system.audit-log. Read-only; newest first, in pages.
 */

const Details = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const AuditEntry = z
  .object({
    auditId: z.string(),
    timestamp: z.number().int().describe('epoch ms'),
    tenantId: z.string().nullable().describe('the tenant the fact belongs to; null for facts of no tenant (administrators only)'),
    source: z.string().describe('which component wrote it, e.g. flowline/gateway'),
    actor: z.object({ userId: z.string(), role: z.string() }),
    action: z.string(),
    resource: z.string(),
    outcome: AuditOutcome,
    reason: z.string().nullable(),
    correlationId: z.string().nullable(),
    details: Details.nullable(),
  })
  .openapi('AuditEntry');
export type AuditEntry = z.infer<typeof AuditEntry>;

/** Where a page ended: the sort key of its last entry. */
export interface AuditPosition {
  timestamp: number;
  auditId: string;
}

export interface AuditFilter {
  /** One tenant's facts; undefined: every tenant's (administrators). */
  tenantId?: string | undefined;
  actor?: string | undefined;
  /** An action, or a dotted prefix of actions: `alarm` matches alarm.acknowledge and alarm.shelve. */
  action?: string | undefined;
  /** The start of a resource, e.g. `pad-7/` or `user/ana`. */
  resource?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** ts ≥ from, epoch ms. */
  from: number;
  /** ts < to, epoch ms. */
  to: number;
}

// Sort and cursor compare on whole milliseconds (what a cursor carries), as the quarantine's reader does.
const tsMs = `date_trunc('milliseconds', ts)`;
const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const Row = z.object({
  audit_id: z.string(),
  ts_ms: z.number(),
  tenant_id: z.string().nullable(),
  source: z.string(),
  actor_user: z.string(),
  actor_role: z.string(),
  action: z.string(),
  resource: z.string(),
  outcome: AuditOutcome,
  reason: z.string().nullable(),
  correlation_id: z.string().nullable(),
  details: Details.nullable(),
});

/** The newest facts first; `after` continues a previous page. Reads one row more than `limit` to tell whether another page exists. */
export async function queryAuditEntries(
  db: Queryable,
  q: AuditFilter & { limit: number; after?: AuditPosition | undefined },
): Promise<{ entries: AuditEntry[]; next: AuditPosition | null }> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT audit_id, floor(extract(epoch FROM ts) * 1000)::float8 AS ts_ms, tenant_id, source, actor_user, actor_role,
       action, resource, outcome, reason, correlation_id, details
     FROM audit_log
     WHERE ts >= $1::timestamptz AND ts < $2::timestamptz
       AND ($3::text IS NULL OR tenant_id = $3)
       AND ($4::text IS NULL OR actor_user = $4)
       AND ($5::text IS NULL OR action = $5 OR action LIKE $6)
       AND ($7::text IS NULL OR resource LIKE $7)
       AND ($8::text IS NULL OR outcome = $8)
       AND ($9::timestamptz IS NULL OR (${tsMs}, audit_id) < ($9::timestamptz, $10::text))
     ORDER BY ${tsMs} DESC, audit_id DESC
     LIMIT $11`,
    [
      new Date(q.from).toISOString(),
      new Date(q.to).toISOString(),
      q.tenantId ?? null,
      q.actor ?? null,
      q.action ?? null,
      q.action ? likePrefix(`${q.action}.`) : null,
      q.resource ? likePrefix(q.resource) : null,
      q.outcome ?? null,
      q.after ? new Date(q.after.timestamp).toISOString() : null,
      q.after?.auditId ?? null,
      q.limit + 1,
    ],
  );
  const entries = rows.map((raw): AuditEntry => {
    const r = tableRow('audit_log', Row, raw);
    return {
      auditId: r.audit_id,
      timestamp: r.ts_ms,
      tenantId: r.tenant_id,
      source: r.source,
      actor: { userId: r.actor_user, role: r.actor_role },
      action: r.action,
      resource: r.resource,
      outcome: r.outcome,
      reason: r.reason,
      correlationId: r.correlation_id,
      details: r.details,
    };
  });
  const { page, next } = keysetPage(entries, q.limit, (last) => ({ timestamp: last.timestamp, auditId: last.auditId }));
  return { entries: page, next };
}
