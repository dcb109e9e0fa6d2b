import { OpenAPIHono, z } from '@hono/zod-openapi';
import { Identifier } from '#contracts';
import { queryCalculations, queryHistory } from '../../functions/persist/history.ts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { Problem } from '../http/problem.ts';
import { Instant, rangeRefused, requireRange } from '../http/time-range.ts';
import { validationHook } from '../http/validation-hook.ts';
import type { GatewayServices } from '../services.ts';
import { fromHistory } from '../store/history-db.ts';

const HistoryAnswer = z
  .object({
    deviceId: z.string(),
    tagId: z.string(),
    from: z.number().int(),
    to: z.number().int(),
    resolution: z
      .enum(['raw', '1m', '1h'])
      .describe('raw samples, or the rollup that served the span (buckets of 5 min up to an hour read the 1 min one)'),
    bucketSeconds: z.number().int(),
    points: z.array(
      z.object({
        t: z.number().int().describe('bucket start, epoch ms'),
        avg: z.number(),
        min: z.number(),
        max: z.number(),
        count: z.number().int().describe('samples in the bucket'),
        compacted: z
          .boolean()
          .describe(
            'true when some of the bucket’s samples arrived only as minutes an edge adapter compacted during a WAN outage (count, min, max, sum per tag-minute, of every quality): no raw sample of them is stored. At raw resolution each such minute is a point of its own at the minute’s start, beside the raw buckets',
          ),
        worstQuality: z
          .number()
          .int()
          .min(0)
          .max(255)
          .optional()
          .describe('with `compacted`: the worst OPC DA quality byte among the compacted samples (bad ones included, unlike raw buckets)'),
      }),
    ),
  })
  .openapi('History');

const CalculationTopic = z.enum(['well-testing.ipr-calculated', 'drilling.calculations', 'production.calculations']);
const Calculations = z
  .object({
    wellId: z.string(),
    calculations: z.array(
      z.object({ eventId: z.string(), topic: z.string(), kind: z.string().nullable(), ts: z.number().int(), result: z.unknown() }),
    ),
  })
  .openapi('Calculations');

/** History from PostgreSQL (persist's tables), downsampled to what a chart can show. */
export function historyRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });

  app.openapi(
    s.secured('history.read', {
      method: 'get',
      path: '/v1/history',
      tags: ['history'],
      summary:
        'A tag’s history over a range, as min/avg/max buckets (raw samples or the 1 min / 1 h rollups), minutes compacted at the edge marked',
      request: {
        query: z.object({
          deviceId: Identifier,
          tagId: Identifier,
          from: Instant.optional().describe('default: one hour before `to`'),
          to: Instant.optional().describe('default: now'),
          maxPoints: z.coerce
            .number()
            .int()
            .min(10)
            .max(5000)
            .default(500)
            .describe('at most this many buckets (a chart’s width in pixels)'),
        }),
      },
      responses: {
        200: { description: 'The history', content: { 'application/json': { schema: HistoryAnswer } } },
        ...rangeRefused(),
        404: { description: 'No such device in the caller’s tenant', content: { 'application/json': { schema: Problem } } },
        503: { description: 'History is not available right now', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const q = c.req.valid('query');
      s.assets.requireDevice(principal, q.deviceId);
      const range = requireRange(q, s.clock(), 3_600_000);
      const db = s.requireDb();
      const history = await fromHistory(
        () =>
          queryHistory(db, {
            tenantId: principal.tenantId,
            deviceId: q.deviceId,
            tagId: q.tagId,
            from: range.from,
            to: range.to,
            maxPoints: q.maxPoints,
          }),
        c.get('log'),
      );
      return c.json({ deviceId: q.deviceId, tagId: q.tagId, from: range.from, to: range.to, ...history }, 200);
    },
  );

  app.openapi(
    s.secured('calculations.read', {
      method: 'get',
      path: '/v1/wells/{wellId}/calculations',
      tags: ['history'],
      summary: 'A well’s latest calculation results (IPR, ESP performance, MSE), newest first',
      request: {
        params: z.object({ wellId: Identifier }),
        query: z.object({ topic: CalculationTopic.optional(), limit: z.coerce.number().int().min(1).max(1000).default(50) }),
      },
      responses: {
        200: { description: 'Results', content: { 'application/json': { schema: Calculations } } },
        404: { description: 'No such well in the caller’s tenant', content: { 'application/json': { schema: Problem } } },
        503: { description: 'History is not available right now', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { wellId } = c.req.valid('param');
      const q = c.req.valid('query');
      s.assets.requireWell(principal, wellId);
      const db = s.requireDb();
      const calculations = await fromHistory(
        () => queryCalculations(db, { tenantId: principal.tenantId, wellId, topic: q.topic, limit: q.limit }),
        c.get('log'),
      );
      return c.json({ wellId, calculations }, 200);
    },
  );
  return app;
}
