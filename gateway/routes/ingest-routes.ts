import { OpenAPIHono, z } from '@hono/zod-openapi';
import { Identifier, SourceProtocol, TelemetryRaw, topics } from '#contracts';
import { derivedEventId } from '../../runtime/envelope.ts';
import { InvokeRequest } from '../../runtime/invoke.ts';
import { keyOfData, requireOwnedData } from '../assets/owned-data.ts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { invalidBecause, Problem, problem } from '../http/problem.ts';
import { issuesOf, validationHook } from '../http/validation-hook.ts';
import { InvokeAnswer } from '../invoke/function-invoker.ts';
import type { GatewayServices } from '../services.ts';

// Schemas made from the contracts' zod are not named with .openapi(): they may exist before
// @hono/zod-openapi extends zod, and the document inlines them just as well.
const Sample = TelemetryRaw.extend({ sourceProtocol: SourceProtocol.default('HTTP') });
const TelemetryBatch = z
  .object({
    samples: z.array(Sample).min(1).max(5000),
    batchId: Identifier.optional().describe('makes a retried batch publish the same event ids (consumers deduplicate on them)'),
  })
  .strict()
  .openapi('TelemetryBatch');
const Accepted = z.object({ accepted: z.number().int(), eventIds: z.array(z.string()).optional() }).openapi('Accepted');

const PublishBody = z
  // nonoptional: the document then lists `data` as required, as the parse already treats it.
  .object({ data: z.unknown().nonoptional(), key: Identifier.optional(), id: z.string().min(1).max(256).optional() })
  .strict()
  .openapi('PublishRequest');
const Published = z.object({ id: z.string(), topic: z.string(), key: z.string() }).openapi('Published');

/**
 * The ways data comes in: telemetry batches (→ scada.telemetry.raw), events on an
 * allow-listed topic, and synchronous invocation of a function by name.
 */
export function ingestRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });

  app.openapi(
    s.secured('telemetry.ingest', {
      method: 'post',
      path: '/v1/telemetry',
      tags: ['ingest'],
      summary: 'Ingest a batch of telemetry samples (seed 000 TelemetryRaw) onto scada.telemetry.raw',
      request: { body: { content: { 'application/json': { schema: TelemetryBatch } }, required: true } },
      responses: {
        202: { description: 'On the bus; validate takes it from there', content: { 'application/json': { schema: Accepted } } },
        422: { description: 'Samples of devices that are not the caller’s', content: { 'application/json': { schema: Problem } } },
        503: { description: 'The bus did not take it: nothing was published', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { samples, batchId } = c.req.valid('json');
      const foreign = [...new Set(samples.map((x) => x.deviceId))].filter((id) => s.assets.tenantOfDevice(id) !== principal.tenantId);
      if (foreign.length > 0)
        throw problem(
          422,
          `no device ${foreign
            .slice(0, 10)
            .map((id) => `"${id}"`)
            .join(', ')} in your tenant: nothing was published; add them to the asset registry first`,
        );
      const events = samples.map((data, i) => ({
        topic: 'scada.telemetry.raw' as const,
        key: data.deviceId,
        data,
        id: batchId ? derivedEventId([principal.tenantId, batchId, String(i)]) : undefined,
      }));
      const published = await s.publishAudited(events, {
        principal,
        action: 'telemetry.ingest',
        resource: `telemetry/${principal.tenantId}`,
        outcome: 'success',
        correlationId: batchId,
        details: { samples: samples.length, devices: new Set(samples.map((x) => x.deviceId)).size },
      });
      const ids = published.slice(0, samples.length).map((e) => e.id);
      return c.json({ accepted: samples.length, ...(ids.length <= 100 ? { eventIds: ids } : {}) }, 202);
    },
  );

  app.openapi(
    s.secured('events.publish', {
      method: 'post',
      path: '/v1/events/{topic}',
      tags: ['ingest'],
      summary: 'Publish one event to an allow-listed topic (asynchronously: the answer means the bus took it)',
      request: {
        params: z.object({ topic: z.string().min(1).max(128).openapi({ example: 'well-testing.test-completed' }) }),
        body: { content: { 'application/json': { schema: PublishBody } }, required: true },
      },
      responses: {
        202: { description: 'On the bus', content: { 'application/json': { schema: Published } } },
        // The data's schema depends on the topic in the path, which OpenAPI cannot tie together.
        ...invalidBecause('`data` is not an event of the topic: the issues name each wrong field under `data.`'),
        404: {
          description:
            'The topic is not open to publishing through the gateway, or `data` names a field, well or device the caller’s tenant does not have',
          content: { 'application/json': { schema: Problem } },
        },
        503: { description: 'The bus did not take it', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { topic } = c.req.valid('param');
      const body = c.req.valid('json');
      const roles = s.options.publishTopics[topic];
      if (!roles || !(topic in topics))
        throw problem(
          404,
          `topic "${topic}" is not open to publishing here; open topics: ${Object.keys(s.options.publishTopics).join(', ')}`,
        );
      if (!roles.includes(principal.role))
        throw problem(403, `your role "${principal.role}" may not publish to ${topic}; roles that may: ${roles.join(', ')}`);
      const parsed = topics[topic as keyof typeof topics].safeParse(body.data);
      if (!parsed.success) {
        const issues = issuesOf(parsed.error).map((i) => ({ ...i, path: `data.${i.path}` }));
        throw problem(
          400,
          `invalid body: data is not a ${topic} event: ${issues
            .slice(0, 3)
            .map((i) => `${i.path}: ${i.message}`)
            .join('; ')}`,
          { issues },
        );
      }
      requireOwnedData(principal, parsed.data, s.assets);
      const key = body.key ?? keyOfData(principal, parsed.data);
      const [event] = await s.publishAudited([{ topic: topic as keyof typeof topics, key, data: parsed.data, id: body.id }], {
        principal,
        action: 'event.publish',
        resource: `topic/${topic}`,
        outcome: 'success',
        correlationId: body.id,
        details: { key },
      });
      return c.json({ id: event?.id ?? '', topic, key }, 202);
    },
  );

  app.openapi(
    s.secured('functions.invoke', {
      method: 'post',
      path: '/v1/functions/{name}/invoke',
      tags: ['ingest'],
      summary: 'Run one event through a function now and answer how it went (the functions’ own POST /invoke)',
      request: {
        params: z.object({ name: z.string().min(1).max(64).openapi({ example: 'validate' }) }),
        body: { content: { 'application/json': { schema: InvokeRequest } }, required: true },
      },
      responses: {
        200: { description: 'success: what it published is on the bus', content: { 'application/json': { schema: InvokeAnswer } } },
        404: {
          description: 'No such function, or `data` names a field, well or device the caller’s tenant does not have',
          content: { 'application/json': { schema: Problem } },
        },
        422: {
          description: 'rejected: the event can never succeed (do not retry)',
          content: { 'application/json': { schema: InvokeAnswer } },
        },
        503: { description: 'failed: retry later, with the same id', content: { 'application/json': { schema: InvokeAnswer } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { name } = c.req.valid('param');
      const request = c.req.valid('json');
      if (!s.invoker.names.includes(name)) throw problem(404, `no function "${name}"; functions: ${s.invoker.names.join(', ')}`);
      requireOwnedData(principal, request.data, s.assets);
      const { status, answer } = await s.invoker.invoke(name, request);
      s.auditLater({
        principal,
        action: 'function.invoke',
        resource: `function/${name}`,
        outcome: answer.outcome === 'success' ? 'success' : answer.outcome === 'rejected' ? 'refused' : 'failure',
        reason: answer.reason,
        correlationId: answer.eventId || undefined,
      });
      return c.json(answer, status);
    },
  );
  return app;
}
