import type { OpenAPIHono } from '@hono/zod-openapi';
import type { GatewayEnv } from '../http/gateway-env.ts';

/**
 * GET /v1/openapi.json: the API as OpenAPI 3.1, generated from the same zod schemas
 * that validate every request and answer. Each operation carries the roles that may
 * call it (`x-flowline-roles`). The two WebSocket routes are described in prose.
 */
export function describeOpenApi(app: OpenAPIHono<GatewayEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'From POST /v1/auth/sign-in or /v1/auth/refresh (HS256, short-lived, ended by sign-out or an admin’s revoke), or from the identity provider (RS256/ES256 via its JWKS)',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'For machines; the key’s role and tenant are configured with its SHA-256',
  });
  app.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Flowline gateway',
      version: '1',
      description: [
        'The thin HTTP gateway in front of Flowline: ingestion, queries, alarm actions, commands, status and configuration, for the roles of seed 004',
        '(admin, supervisor, operator, viewer, scada). Every query and stream is scoped to the caller’s tenant.',
        '',
        'Live streams (WebSocket, not in the paths below):',
        '- GET /v1/live: send {"op":"subscribe","room":"well:{wellId}"|"field:{fieldId}"|"alarms:{tenantId}"|"alarms:{tenantId}:critical"|"system:{tenantId}",',
        '  "deviceIds"?:[…], "after"?:{"epoch","seq"}} and receive {"room","seq","type","data"}; {"type":"resync"} asks for a fresh snapshot.',
        '  system:{tenantId} carries "system:status" every few seconds and each edge answer to a command as "command:result".',
        '  Browsers authenticate with the subprotocols ["flowline.v1", "bearer.<jwt>"].',
        '- GET /api/v1/stream?device_ids=a,b: seed 002’s stream (messages with data.DEVICE_ID; a keep-alive every 60 s).',
        '  Credentials: Authorization or X-API-Key headers, or access_token / api_key in the query.',
      ].join('\n'),
    },
  });
}
