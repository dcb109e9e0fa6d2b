import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** The shared secrets a function process takes calls with (each from a Kubernetes Secret). */
export interface CallerTokens {
  /** The gateway's identity on the kafka host: `Authorization: Bearer <token>` on POST /invoke. */
  invokeToken?: string | undefined;
  /** Dapr's app API token: the sidecar sends it as `dapr-api-token` on every call to the app. */
  appApiToken?: string | undefined;
}

/** Probes and metrics answer anyone who reaches the port: the kubelet and Prometheus carry no token. */
const open = new Set(['/healthz', '/readyz', '/metrics']);

const digest = (text: string) => createHash('sha256').update(text).digest();
// Compared as digests: equal length whatever was sent, so the time taken says nothing of the token.
const matches = (sent: string | undefined, expected: Buffer | undefined) =>
  sent !== undefined && expected !== undefined && timingSafeEqual(digest(sent), expected);

/**
 * Who may call a function process, apart from its probes: its Dapr sidecar (pub/sub
 * deliveries, service invocation), which proves itself with the app API token, or the
 * gateway, which proves itself with the invoke token. Undefined when neither is set: the
 * process answers anyone who reaches it, and says so at start (insecureCallersWarning).
 */
export function callerAuth(tokens: CallerTokens): MiddlewareHandler | undefined {
  const invoke = tokens.invokeToken ? digest(tokens.invokeToken) : undefined;
  const app = tokens.appApiToken ? digest(tokens.appApiToken) : undefined;
  if (!invoke && !app) return undefined;
  const accepted = [
    app && '`dapr-api-token` (its Dapr sidecar, APP_API_TOKEN)',
    invoke && '`Authorization: Bearer` (FLOWLINE_INVOKE_TOKEN)',
  ]
    .filter(Boolean)
    .join(' or ');
  return async (c, next) => {
    if (open.has(c.req.path)) return next();
    const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (matches(c.req.header('dapr-api-token'), app) || matches(bearer, invoke)) return next();
    c.header('WWW-Authenticate', 'Bearer realm="flowline-function"');
    return c.json({ error: `this function process takes calls only with ${accepted}; the request carried no valid one` }, 401);
  };
}

/** What a process with no caller tokens logs at start, once. */
export const insecureCallersWarning =
  'neither FLOWLINE_INVOKE_TOKEN nor APP_API_TOKEN is set: POST /invoke and the Dapr routes answer anyone who can reach this port (the chart sets both; set them outside a trusted network)';
