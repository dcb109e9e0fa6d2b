import type { InvokeRequest } from '../../runtime/invoke.ts';
import { type FunctionInvoker, InvokeAnswer, statusOfOutcome } from './function-invoker.ts';

/**
 * Invokes functions over HTTP: the kafka host's function Services
 * (`http://<name>:8080/invoke`) or the Dapr sidecar's service invocation
 * (`http://127.0.0.1:3500/v1.0/invoke/<name>/method/invoke`), whichever `urlOf` gives.
 * A function that does not answer is a `failed` outcome: retry with the same event id.
 */
export function httpInvoker(options: {
  names: readonly string[];
  urlOf: (name: string) => string;
  timeoutMs: number;
  /** Who the gateway is: the function's invoke token, or the Dapr API token of its own sidecar. */
  headers?: Record<string, string>;
}): FunctionInvoker {
  return {
    names: options.names,
    async invoke(name, request: InvokeRequest) {
      const url = options.urlOf(name);
      const failed = (reason: string) => ({
        status: 503 as const,
        answer: { outcome: 'failed' as const, reason, eventId: request.id ?? '', published: [] },
      });
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...options.headers },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        const timedOut = (error as Error).name === 'TimeoutError';
        return failed(
          timedOut
            ? `function "${name}" gave no answer within ${options.timeoutMs} ms; it may still have run: retry with the same id`
            : `function "${name}" could not be reached (${(error as Error).message}); retry later`,
        );
      }
      if (res.status === 401 || res.status === 403)
        // Not the function's answer: the process (or its sidecar) refused the gateway's credentials.
        return failed(
          `function "${name}" refused the gateway's credentials (HTTP ${res.status}): give the gateway and the functions the same FLOWLINE_INVOKE_TOKEN (dapr host: the gateway's DAPR_API_TOKEN is its sidecar's)`,
        );
      const body = await res.json().catch(() => undefined);
      const parsed = InvokeAnswer.safeParse(body);
      if (!parsed.success) {
        const said = typeof body === 'object' && body !== null ? JSON.stringify(body).slice(0, 300) : `HTTP ${res.status}`;
        return failed(`function "${name}" answered unexpectedly (${said}); retry later`);
      }
      return { status: statusOfOutcome(parsed.data.outcome), answer: parsed.data };
    },
  };
}

/**
 * The credentials the gateway's invoke calls carry. Kafka host: the functions' invoke token,
 * straight to their Services. Dapr host: its own sidecar's API token; the sidecars between
 * them authenticate each other (mTLS from Sentry) and the target's sidecar sends that app its
 * app API token.
 */
export function invokeHeaders(env: {
  FLOWLINE_HOST: 'kafka' | 'dapr';
  FLOWLINE_INVOKE_TOKEN?: string | undefined;
  DAPR_API_TOKEN?: string | undefined;
}): Record<string, string> {
  if (env.FLOWLINE_HOST === 'dapr') return env.DAPR_API_TOKEN ? { 'dapr-api-token': env.DAPR_API_TOKEN } : {};
  return env.FLOWLINE_INVOKE_TOKEN ? { authorization: `Bearer ${env.FLOWLINE_INVOKE_TOKEN}` } : {};
}
