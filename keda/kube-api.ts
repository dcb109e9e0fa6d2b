import { request } from 'node:https';

/** How to reach an API server: a client certificate or a bearer token; PEM text, not file names. */
export interface KubeCredentials {
  server: string;
  /** The cluster's CA; undefined: the system's CAs. */
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  token?: string | undefined;
}

export interface KubeResponse {
  status: number;
  /** Parsed JSON when the server sent JSON, else the text. */
  body: unknown;
}

export interface KubeApi {
  request(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<KubeResponse>;
  /** GET that must answer 200; throws with the server's message otherwise. */
  get<T>(path: string): Promise<T>;
}

/**
 * The few calls flowline lag, local-dev and the tests make to the API server, over HTTPS
 * (no kubectl, no client library). PATCH bodies are merge patches. Each call is bounded.
 */
export function kubeApi(credentials: KubeCredentials, timeoutMs = 30_000): KubeApi {
  const send: KubeApi['request'] = (method, path, body) =>
    new Promise((resolve, reject) => {
      const url = new URL(path, credentials.server);
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = request(
        url,
        {
          method,
          // A connection of its own per call: Node's global agent keeps sockets alive between
          // calls, and one the API server had closed during a long wait (a first run builds
          // KEDA for minutes between two calls) failed the next large write with EPIPE.
          agent: false,
          ca: credentials.ca,
          cert: credentials.cert,
          key: credentials.key,
          timeout: timeoutMs,
          headers: {
            accept: 'application/json',
            ...(credentials.token ? { authorization: `Bearer ${credentials.token}` } : {}),
            ...(payload === undefined ? {} : { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            if ((res.headers['content-type'] ?? '').includes('json')) {
              try {
                parsed = JSON.parse(text);
              } catch {
                // keep the text: the caller's error shows it
              }
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} got no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  return {
    request: send,
    async get<T>(path: string): Promise<T> {
      const res = await send('GET', path);
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${messageOf(res.body)}`);
      return res.body as T;
    },
  };
}

/**
 * Creates an object in its collection, or replaces the one of that name (POST, then PUT
 * with the stored resourceVersion on 409): what `kubectl apply` does for a new object.
 */
export async function createOrReplace<T extends { metadata: { name: string; resourceVersion?: string } }>(
  api: KubeApi,
  collection: string,
  object: T,
): Promise<void> {
  const { resourceVersion: _, ...metadata } = object.metadata;
  let res = await api.request('POST', collection, { ...object, metadata });
  if (res.status === 409) {
    const current = await api.get<T>(`${collection}/${object.metadata.name}`);
    res = await api.request('PUT', `${collection}/${object.metadata.name}`, {
      ...object,
      metadata: { ...metadata, resourceVersion: current.metadata.resourceVersion },
    });
  }
  if (res.status >= 300) {
    throw new Error(`the API server refused ${collection}/${object.metadata.name} (${res.status}): ${messageOf(res.body)}`);
  }
}

/** The `message` of a Kubernetes Status, or the body as text. */
export function messageOf(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'message' in body) return String((body as { message: unknown }).message);
  return typeof body === 'string' ? body.slice(0, 500) : JSON.stringify(body).slice(0, 500);
}
