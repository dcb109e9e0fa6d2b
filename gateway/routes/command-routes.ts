import { randomUUID } from 'node:crypto';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { type Command, CommandResult, Identifier } from '#contracts';
import { actorOf } from '../auth/principal.ts';
import { commandResultsKept, readCommandResults } from '../commands/command-result-log.ts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { Problem } from '../http/problem.ts';
import { validationHook } from '../http/validation-hook.ts';
import type { GatewayServices } from '../services.ts';

const CommandRequest = z
  .object({
    siteId: Identifier.describe('the edge adapter’s site that owns the device'),
    deviceId: Identifier,
    tagId: Identifier,
    value: z.number().finite().describe('engineering units; 0 or 1 for a boolean tag'),
    reason: z.string().trim().min(1).max(500).optional(),
    expiresInSeconds: z.number().int().min(5).max(3600).default(60).describe('not applied after this: a late write is worse than none'),
  })
  .strict()
  .openapi('CommandRequest');
const CommandAccepted = z.object({ commandId: z.string(), expiresAt: z.number().int() }).openapi('CommandAccepted');
const CommandResults = z.object({ serverTime: z.number().int(), results: z.array(CommandResult) }).openapi('CommandResults');

/**
 * POST /v1/commands: a setpoint write request on scada.commands. The gateway checks the
 * role and the tenant; the edge adapter of the site checks the tag's allow-list, range
 * and roles and answers on scada.commands.results, which the gateway files per tenant
 * (commands/) for GET /v1/commands/results and the system room.
 */
export function commandRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });
  app.openapi(
    s.secured('commands.send', {
      method: 'post',
      path: '/v1/commands',
      tags: ['commands'],
      summary: 'Ask the edge to write a setpoint (the edge adapter decides, per tag, and answers on scada.commands.results)',
      request: { body: { content: { 'application/json': { schema: CommandRequest } }, required: true } },
      responses: {
        202: { description: 'On its way to the edge', content: { 'application/json': { schema: CommandAccepted } } },
        404: { description: 'No such device in the caller’s tenant', content: { 'application/json': { schema: Problem } } },
        503: { description: 'The bus did not take it: nothing was sent', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const request = c.req.valid('json');
      s.assets.requireDevice(principal, request.deviceId);
      const now = s.clock();
      const command: Command = {
        commandId: randomUUID(),
        timestamp: now,
        siteId: request.siteId,
        deviceId: request.deviceId,
        tagId: request.tagId,
        value: request.value,
        requestedBy: actorOf(principal),
        ...(request.reason ? { reason: request.reason } : {}),
        expiresAt: now + request.expiresInSeconds * 1000,
      };
      await s.publishAudited([{ topic: 'scada.commands', key: request.deviceId, data: command, id: command.commandId }], {
        principal,
        action: 'command.request',
        resource: `${request.siteId}/${request.deviceId}/${request.tagId}`,
        outcome: 'success',
        reason: request.reason,
        correlationId: command.commandId,
        details: { value: request.value },
      });
      return c.json({ commandId: command.commandId, expiresAt: command.expiresAt as number }, 202);
    },
  );

  app.openapi(
    s.secured('commands.read', {
      method: 'get',
      path: '/v1/commands/results',
      tags: ['commands'],
      summary: 'The edge adapters’ latest answers to commands (applied, refused, failed, and why), newest first',
      description: `The last ${commandResultsKept} per tenant. New ones are also pushed live on the system:{tenantId} room as "command:result".`,
      request: {
        query: z.object({
          deviceId: Identifier.optional(),
          limit: z.coerce.number().int().min(1).max(commandResultsKept).default(50),
        }),
      },
      responses: {
        200: { description: 'Command results', content: { 'application/json': { schema: CommandResults } } },
        404: { description: 'No such device in the caller’s tenant', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { deviceId, limit } = c.req.valid('query');
      if (deviceId) s.assets.requireDevice(principal, deviceId);
      const results = await readCommandResults(s.redis, principal.tenantId, deviceId ? commandResultsKept : limit);
      const shown = deviceId ? results.filter((r) => r.deviceId === deviceId).slice(0, limit) : results;
      return c.json({ serverTime: s.clock(), results: shown }, 200);
    },
  );
  return app;
}
