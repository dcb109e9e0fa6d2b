/** What a request presents to prove who it is. */
export type Credentials = { kind: 'bearer'; token: string } | { kind: 'api-key'; key: string } | { kind: 'none' };

/** The subprotocol a browser offers next to `bearer.<jwt>`, and the one the gateway answers with. */
export const liveSubprotocol = 'flowline.v1';

/**
 * Reads credentials from the headers; for WebSocket upgrades also from where browsers
 * and seed 002's clients can put them: a `bearer.<jwt>` subprotocol (browsers cannot set
 * headers on a WebSocket) or `access_token` / `api_key` in the query. Query credentials
 * are accepted on upgrades only, and the gateway never logs query strings.
 */
export function credentialsOf(request: Request): Credentials {
  const authorization = request.headers.get('authorization');
  if (authorization) {
    const [scheme, value] = authorization.split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer' && value) return { kind: 'bearer', token: value };
  }
  const apiKey = request.headers.get('x-api-key');
  if (apiKey) return { kind: 'api-key', key: apiKey };
  if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
    const offered = (request.headers.get('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim());
    const bearer = offered.find((p) => p.startsWith('bearer.'));
    if (bearer) return { kind: 'bearer', token: bearer.slice('bearer.'.length) };
    const query = new URL(request.url).searchParams;
    const token = query.get('access_token');
    if (token) return { kind: 'bearer', token };
    const key = query.get('api_key');
    if (key) return { kind: 'api-key', key };
  }
  return { kind: 'none' };
}
