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
  /** The access token: short-lived, refreshed silently before it expires. */
  token: string;
  expiresAt: number;
  /** When the sign-in itself ends: the refresh token (an HttpOnly cookie this script never sees) ends with it. */
  refreshExpiresAt: number;
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
// sessionStorage: the access token lives as long as the tab, and is never sent by the browser on its own (no CSRF).
// The refresh token is an HttpOnly, SameSite=Strict cookie sent only to /v1/auth/refresh: no script can read it.
let session: Session | undefined = load();
let refreshTimer: number | undefined;

function load(): Session | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(key) ?? 'null') as Session | null;
    return saved && saved.expiresAt > Date.now() + 5_000 ? saved : undefined;
  } catch {
    return undefined;
  }
}

export const currentSession = (): Session | undefined => session;

export function saveSession(next: Session): void {
  session = next;
  sessionStorage.setItem(key, JSON.stringify(next));
  scheduleRefresh(next);
}

// A minute before expiry, or at four fifths of a shorter lifetime: a sleeping laptop that
// wakes late finds the token expired, and the first 401 refreshes it instead.
function scheduleRefresh(current: Session): void {
  window.clearTimeout(refreshTimer);
  const lifetime = current.expiresAt - Date.now();
  const inMs = Math.max(1_000, lifetime - 60_000, lifetime * 0.8);
  refreshTimer = window.setTimeout(() => void refreshSession().catch(() => {}), inMs);
}

let refreshing: Promise<Session | undefined> | undefined;

/**
 * A new access token for the refresh cookie, or undefined when the sign-in has ended. Tabs
 * share the cookie and a refresh token is single use: the tabs take turns (Web Locks), so
 * two never present the same one, which the gateway would take for a stolen copy.
 */
export function refreshSession(): Promise<Session | undefined> {
  refreshing ??= withRefreshLock(async () => {
    const res = await fetch('/v1/auth/refresh', { method: 'POST', credentials: 'same-origin' });
    if (res.status === 401 || res.status === 404) return undefined;
    if (!res.ok) throw new ApiError(res.status, `the gateway answered ${res.status} to a refresh`);
    const next = (await res.json()) as Session;
    saveSession(next);
    return next;
  }).finally(() => {
    refreshing = undefined;
  });
  return refreshing.catch((error: unknown) => {
    // The gateway is unreachable: the session may still be good; try again shortly.
    if (session) refreshTimer = window.setTimeout(() => void refreshSession().catch(() => {}), 10_000);
    throw error;
  });
}

function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  return navigator.locks ? navigator.locks.request('flowline.refresh', work) : work();
}

/** The saved session, or a fresh one from the refresh cookie (a reload, a new tab, an expired token). */
export async function resumeSession(): Promise<Session | undefined> {
  if (session) {
    scheduleRefresh(session);
    return session;
  }
  return refreshSession().catch(() => undefined);
}

export function endSession(reason: string): void {
  window.clearTimeout(refreshTimer);
  session = undefined;
  sessionStorage.removeItem(key);
  window.dispatchEvent(new CustomEvent('flowline:signed-out', { detail: reason }));
}

/**
 * Ends the session at the gateway (its refresh token, its access tokens), then here. An
 * access token that has expired is refreshed first (api does): otherwise the refresh
 * cookie would outlive the sign-out and sign the next reload back in.
 */
export async function signOut(): Promise<void> {
  try {
    if (session) await api('/v1/auth/sign-out', { method: 'POST' });
  } catch {
    // Unreachable, or already ended: the session ends here all the same.
  }
  if (session) endSession('Signed out.');
}

export const may = (permission: string): boolean => session?.user.permissions.includes(permission) ?? false;

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const send = () => {
    const headers: Record<string, string> = {};
    if (session) headers.authorization = `Bearer ${session.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  };
  let res = await send();
  // An access token that expired unnoticed (a laptop asleep): refresh once and try again.
  if (res.status === 401 && session && (await refreshSession().catch(() => undefined))) res = await send();
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (res.status === 401 && session) endSession('Your session has ended: sign in again.');
  if (!res.ok) throw new ApiError(res.status, body.error ?? `the gateway answered ${res.status}`);
  return body as T;
}
