import { OpenAPIHono, z } from '@hono/zod-openapi';
import { AuditOutcome, Identifier } from '#contracts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { Problem, problem } from '../http/problem.ts';
import { Instant, rangeRefused, requireRange } from '../http/time-range.ts';
import { validationHook } from '../http/validation-hook.ts';
import type { GatewayServices } from '../services.ts';
import { AuditEntry, type AuditPosition, queryAuditEntries } from '../store/audit-entries.ts';
import { fromHistory } from '../store/history-db.ts';

// A cursor is the sort key of a page's last entry spelled out, as the quarantine's is: every value
// the pattern allows is a position to continue from.
const cursorPattern = '^(\\d{1,13})~([A-Za-z0-9][A-Za-z0-9._:-]{0,127})$';
const Cursor = z
  .string()
  .regex(new RegExp(cursorPattern), 'pass back `nextCursor` from the previous page unchanged')
  .transform((text): AuditPosition => {
    const [, timestamp, auditId] = new RegExp(cursorPattern).exec(text) as RegExpExecArray;
    return { timestamp: Number(timestamp), auditId: auditId as string };
  })
  .openapi({ type: 'string', pattern: cursorPattern, example: '1769592000000~5b0e6f0e-3c1a-4d2b-9a57-0c7f1e2d3b4a' });
const cursorOf = (p: AuditPosition) => `${p.timestamp}~${p.auditId}`;

// Free text for a filter, without control characters (PostgreSQL text refuses NUL). Spelled as a
// string, so the document carries the same pattern for clients and the fuzzer.
const noControlCharacters = new RegExp(`^[^${String.fromCharCode(0)}-${String.fromCharCode(0x1f)}${String.fromCharCode(0x7f)}]+$`);
const filterText = (max: number) => z.string().min(1).max(max).regex(noControlCharacters, 'no control characters');
const actionPattern = '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*$';

const AuditPage = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    entries: z.array(AuditEntry).describe('newest first'),
    nextCursor: z.string().nullable().describe('pass as `cursor` for the next (older) page; null on the last page'),
  })
  .openapi('AuditPage');

/** The audit trail (persist's audit_log), readable without SQL: who did what to which resource, and how it ended. */
export function auditRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });

  app.openapi(
    s.secured('audit.read', {
      method: 'get',
      path: '/v1/audit',
      tags: ['audit'],
      summary: 'The audit trail, newest first, filtered by actor, action, resource, outcome and time',
      description:
        'Administrators read every tenant’s facts (or one, with `tenantId`); supervisors their own tenant’s only. ' +
        'Facts are stored by the persist function a moment after they happen.',
      request: {
        query: z.object({
          tenantId: Identifier.optional().describe('one tenant’s facts; a supervisor may name only their own'),
          actor: filterText(128).optional().describe('who: a user name or an API key’s id'),
          action: z
            .string()
            .max(128)
            .regex(new RegExp(actionPattern), 'dotted lower-case words, e.g. alarm.acknowledge, or a prefix such as alarm')
            .optional()
            .describe('an action, or its dotted prefix: `alarm` matches alarm.acknowledge and alarm.shelve'),
          resource: filterText(512).optional().describe('the start of the resource, e.g. `pad-7/` or `user/ana`'),
          outcome: AuditOutcome.optional(),
          from: Instant.optional().describe('at or after; default: 7 days before `to`'),
          to: Instant.optional().describe('before; default: now'),
          limit: z.coerce.number().int().min(1).max(500).default(100).describe('entries per page'),
          cursor: Cursor.optional().describe('`nextCursor` of the previous page'),
        }),
      },
      responses: {
        200: { description: 'A page of the audit trail', content: { 'application/json': { schema: AuditPage } } },
        ...rangeRefused(),
        503: { description: 'The audit trail is not available right now', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const q = c.req.valid('query');
      if (principal.role !== 'admin' && q.tenantId !== undefined && q.tenantId !== principal.tenantId)
        throw problem(403, `a ${principal.role} reads the audit trail of their own tenant only (${principal.tenantId})`);
      const tenantId = principal.role === 'admin' ? q.tenantId : principal.tenantId;
      const range = requireRange(q, s.clock(), 7 * 86_400_000);
      const db = s.requireDb();
      const page = await fromHistory(
        () =>
          queryAuditEntries(db, {
            tenantId,
            actor: q.actor,
            action: q.action,
            resource: q.resource,
            outcome: q.outcome,
            from: range.from,
            to: range.to,
            limit: q.limit,
            after: q.cursor,
          }),
        c.get('log'),
      );
      return c.json({ from: range.from, to: range.to, entries: page.entries, nextCursor: page.next ? cursorOf(page.next) : null }, 200);
    },
  );
  return app;
}
