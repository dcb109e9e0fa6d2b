import { OpenAPIHono, z } from '@hono/zod-openapi';
import { redisKeys } from '#contracts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { validationHook } from '../http/validation-hook.ts';
import type { GatewayServices } from '../services.ts';
import { EdgeSiteStatus } from '../status/edge-status.ts';
import { FunctionStatus } from '../status/function-status.ts';

const DeliveryFailure = z
  .object({
    time: z.string(),
    channel: z.string(),
    kind: z.string(),
    alarmId: z.string().optional(),
    error: z.string(),
    attempts: z.number().int(),
  })
  .openapi('DeliveryFailure');

/**
 * The SRE's and the operator's view of the machinery: functions (replicas, lag,
 * throughput, errors, dead letters), edge adapters (connections, buffer), and
 * notifications that could not be delivered. Also pushed live on `system:{tenantId}`.
 */
export function statusRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });

  app.openapi(
    s.secured('status.read', {
      method: 'get',
      path: '/v1/status/functions',
      tags: ['status'],
      summary: 'Each function’s consumer lag, replicas (and what KEDA scales to), throughput, errors and dead letters',
      responses: {
        200: {
          description: 'The functions',
          content: { 'application/json': { schema: z.object({ serverTime: z.number().int(), functions: z.array(FunctionStatus) }) } },
        },
      },
    }),
    async (c) => c.json({ serverTime: s.clock(), functions: await s.functionStatus.read() }, 200),
  );

  app.openapi(
    s.secured('status.read', {
      method: 'get',
      path: '/v1/status/edge',
      tags: ['status'],
      summary: 'The tenant’s edge adapters: device connections and the store-and-forward buffer',
      responses: {
        200: {
          description: 'The edge sites',
          content: { 'application/json': { schema: z.object({ serverTime: z.number().int(), sites: z.array(EdgeSiteStatus) }) } },
        },
      },
    }),
    async (c) => c.json({ serverTime: s.clock(), sites: await s.edge.read(c.get('principal').tenantId) }, 200),
  );

  app.openapi(
    s.secured('alarms.read', {
      method: 'get',
      path: '/v1/notifications/failures',
      tags: ['status'],
      summary: 'Alarm notifications the notify function could not deliver, newest first',
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) },
      responses: {
        200: { description: 'Failures', content: { 'application/json': { schema: z.object({ failures: z.array(DeliveryFailure) }) } } },
      },
    }),
    async (c) => {
      const { tenantId } = c.get('principal');
      const raw = await s.redis.lrange(redisKeys.notifyFailures(tenantId), 0, c.req.valid('query').limit - 1);
      const failures = raw.flatMap((text) => {
        try {
          const parsed = DeliveryFailure.safeParse(JSON.parse(text));
          return parsed.success ? [parsed.data] : [];
        } catch {
          return [];
        }
      });
      return c.json({ failures }, 200);
    },
  );
  return app;
}
