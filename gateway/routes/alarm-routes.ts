import { OpenAPIHono, z } from '@hono/zod-openapi';
import { Identifier } from '#contracts';
import { queryAlarmHistory, queryLatestAcknowledgements } from '../../functions/persist/history.ts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { Problem } from '../http/problem.ts';
import { Instant, rangeRefused, requireRange } from '../http/time-range.ts';
import { validationHook } from '../http/validation-hook.ts';
import type { GatewayServices } from '../services.ts';
import { AlarmView, readActiveAlarms, readShelvedAlarms, readSuppressedAlarms } from '../store/alarm-states.ts';
import { fromHistory } from '../store/history-db.ts';

const AlarmList = z
  .object({
    serverTime: z.number().int(),
    active: z.array(AlarmView),
    shelved: z.array(AlarmView),
    suppressed: z.array(AlarmView).describe('out of service (ISA-18.2): not annunciated or notified until unsuppressed'),
  })
  .openapi('AlarmList');
const AlarmEvent = z
  .object({
    eventId: z.string(),
    alarmId: z.string(),
    ts: z.number().int(),
    transition: z.string(),
    state: z.string(),
    severity: z.string(),
    condition: z.string(),
    deviceId: z.string(),
    tagId: z.string(),
    wellId: z.string().nullable(),
    value: z.number(),
    threshold: z.number(),
    message: z.string(),
    actor: z.string().nullable(),
    comment: z.string().nullable(),
  })
  .openapi('AlarmEvent');

/** Active, shelved and suppressed alarms (Redis, the alarm function's state) and their history (PostgreSQL). */
export function alarmRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });

  app.openapi(
    s.secured('alarms.read', {
      method: 'get',
      path: '/v1/alarms',
      tags: ['alarms'],
      summary: 'Alarms an operator must see (worst first), shelved and suppressed ones, with who acknowledged them and their comment',
      request: {
        query: z.object({ wellId: Identifier.optional(), limit: z.coerce.number().int().min(1).max(1000).default(500) }),
      },
      responses: {
        200: { description: 'The alarm list', content: { 'application/json': { schema: AlarmList } } },
        404: { description: 'No such well in the caller’s tenant', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { wellId, limit } = c.req.valid('query');
      if (wellId) s.assets.requireWell(principal, wellId);
      const [active, shelved, suppressed] = await Promise.all([
        readActiveAlarms(s.redis, principal.tenantId, limit),
        readShelvedAlarms(s.redis, principal.tenantId, limit),
        readSuppressedAlarms(s.redis, principal.tenantId, limit),
      ]);
      const keep = (a: AlarmView) => !wellId || a.wellId === wellId;
      const acknowledged = active.filter((a) => a.acknowledgedAt !== undefined).map((a) => a.alarmId);
      // The comment lives in the alarm history only; without it the list is still right, just terser.
      const comments = s.db
        ? await queryLatestAcknowledgements(s.db, { tenantId: principal.tenantId, alarmIds: acknowledged }).catch((err: unknown) => {
            c.get('log').warn({ err }, 'acknowledgement comments unavailable');
            return new Map();
          })
        : new Map();
      const withComment = (a: AlarmView): AlarmView => {
        const ack = comments.get(a.alarmId) as { comment: string | null } | undefined;
        return ack?.comment ? { ...a, acknowledgedComment: ack.comment } : a;
      };
      return c.json(
        {
          serverTime: s.clock(),
          active: active.filter(keep).map(withComment),
          shelved: shelved.filter(keep),
          suppressed: suppressed.filter(keep),
        },
        200,
      );
    },
  );

  app.openapi(
    s.secured('alarms.read', {
      method: 'get',
      path: '/v1/alarms/history',
      tags: ['alarms'],
      summary: 'Alarm transitions (raised, acknowledged, cleared, shelved…), newest first',
      request: {
        query: z.object({
          from: Instant.optional().describe('default: 24 hours before `to`'),
          to: Instant.optional().describe('default: now'),
          alarmId: Identifier.optional(),
          limit: z.coerce.number().int().min(1).max(5000).default(200),
        }),
      },
      responses: {
        200: { description: 'Transitions', content: { 'application/json': { schema: z.object({ events: z.array(AlarmEvent) }) } } },
        ...rangeRefused(),
        503: { description: 'History is not available right now', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const q = c.req.valid('query');
      const range = requireRange(q, s.clock(), 86_400_000);
      const db = s.requireDb();
      const events = await fromHistory(
        () => queryAlarmHistory(db, { tenantId: principal.tenantId, from: range.from, to: range.to, alarmId: q.alarmId, limit: q.limit }),
        c.get('log'),
      );
      return c.json({ events }, 200);
    },
  );
  return app;
}
