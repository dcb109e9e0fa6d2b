import { OpenAPIHono, z } from '@hono/zod-openapi';
import { DownReason, Identifier, WellStatus } from '#contracts';
import { queryStatusHours, queryStatusTimeline } from '../../functions/persist/well-status-store.ts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { Problem } from '../http/problem.ts';
import { Instant, rangeRefused, requireRange } from '../http/time-range.ts';
import { validationHook } from '../http/validation-hook.ts';
import type { GatewayServices } from '../services.ts';
import { fromHistory } from '../store/history-db.ts';
import { CurrentWellStatus, readWellState } from '../store/well-states.ts';

const hoursBy = <K extends z.ZodEnum>(keys: K) => z.partialRecord(keys, z.number().nonnegative());

const WellStatusAnswer = z
  .object({
    wellId: z.string(),
    serverTime: z.number().int(),
    current: CurrentWellStatus.nullable().describe('null until the well’s first status (the well-status function judges it)'),
    from: z.number().int(),
    to: z.number().int(),
    timeline: z
      .array(
        z.object({
          status: WellStatus,
          reason: DownReason.optional(),
          from: z.number().int(),
          to: z.number().int().optional().describe('absent: the well is still in it'),
        }),
      )
      .describe('the statuses that overlap [from, to), oldest first (the latest `limit` of them)'),
    days: z
      .array(
        z.object({
          day: z.string().describe('the UTC day, YYYY-MM-DD'),
          hours: hoursBy(WellStatus).describe('hours in each status that day (the current one counted until now)'),
          downHours: hoursBy(DownReason).describe('the down hours by reason'),
        }),
      )
      .describe('hours per status per UTC day of [from, to); a day before the well’s first status has none'),
  })
  .openapi('WellStatus');

/** A well's status: the current one (Redis) and its history with hours per day (PostgreSQL, persist's tables). */
export function wellStatusRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });

  app.openapi(
    s.secured('history.read', {
      method: 'get',
      path: '/v1/wells/{wellId}/status',
      tags: ['history'],
      summary: 'A well’s status: the current one, its timeline and the hours in each status per day',
      request: {
        params: z.object({ wellId: Identifier }),
        query: z.object({
          from: Instant.optional().describe('default: seven days before `to`'),
          to: Instant.optional().describe('default: now'),
          limit: z.coerce.number().int().min(1).max(5000).default(500).describe('at most this many statuses in the timeline'),
        }),
      },
      responses: {
        200: { description: 'The status', content: { 'application/json': { schema: WellStatusAnswer } } },
        ...rangeRefused(),
        404: { description: 'No such well in the caller’s tenant', content: { 'application/json': { schema: Problem } } },
        503: { description: 'History is not available right now', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { wellId } = c.req.valid('param');
      const q = c.req.valid('query');
      s.assets.requireWell(principal, wellId);
      const now = s.clock();
      const range = requireRange(q, now, 7 * 86_400_000);
      const db = s.requireDb();
      const where = { tenantId: principal.tenantId, wellId, from: range.from, to: range.to, now };
      const [current, timeline, days] = await Promise.all([
        readWellState(s.redis, wellId, c.get('log')),
        fromHistory(() => queryStatusTimeline(db, { ...where, limit: q.limit }), c.get('log')),
        fromHistory(() => queryStatusHours(db, where), c.get('log')),
      ]);
      return c.json({ wellId, serverTime: now, current, from: range.from, to: range.to, timeline, days }, 200);
    },
  );
  return app;
}
