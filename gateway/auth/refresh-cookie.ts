import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

/** The console's refresh token: out of reach of scripts, sent only to the refresh route, never cross-site. */
export const refreshCookie = { name: 'flowline_refresh', path: '/v1/auth/refresh' } as const;

export function setRefreshCookie(c: Context, token: string, expiresAt: number, now: number): void {
  setCookie(c, refreshCookie.name, token, {
    path: refreshCookie.path,
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    maxAge: Math.max(0, Math.floor((expiresAt - now) / 1000)),
  });
}

export const refreshCookieOf = (c: Context): string | undefined => getCookie(c, refreshCookie.name);

export function clearRefreshCookie(c: Context): void {
  deleteCookie(c, refreshCookie.name, { path: refreshCookie.path, httpOnly: true, secure: true, sameSite: 'Strict' });
}
