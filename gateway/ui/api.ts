/** Calls to the gateway's /v1 API with the session's bearer token; errors carry the gateway's own message. */

export interface Me {
  id: string;
  name: string;
  role: string;
  tenantId: string;
  tenantName: string;
  permissions: string[];
}

export interface Session {
  token: string;
  expiresAt: number;
  user: Me;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const key = 'flowline.session';
// sessionStorage: the token lives as long as the tab, and is never sent by the browser on its own (no cookie, no CSRF).
let session: Session | undefined = load();

function load(): Session | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(key) ?? 'null') as Session | null;
    return saved && saved.expiresAt > Date.now() + 60_000 ? saved : undefined;
  } catch {
    return undefined;
  }
}

export const currentSession = (): Session | undefined => session;

export function saveSession(next: Session): void {
  session = next;
  sessionStorage.setItem(key, JSON.stringify(next));
}

export function endSession(reason: string): void {
  session = undefined;
  sessionStorage.removeItem(key);
  window.dispatchEvent(new CustomEvent('flowline:signed-out', { detail: reason }));
}

export const may = (permission: string): boolean => session?.user.permissions.includes(permission) ?? false;

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (session) headers.authorization = `Bearer ${session.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (res.status === 401 && session) endSession('Your session has ended: sign in again.');
  if (!res.ok) throw new ApiError(res.status, body.error ?? `the gateway answered ${res.status}`);
  return body as T;
}
