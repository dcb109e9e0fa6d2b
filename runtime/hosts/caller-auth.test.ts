import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { callerAuth } from './caller-auth.ts';

const appWith = (tokens: Parameters<typeof callerAuth>[0]) => {
  const app = new Hono();
  const guard = callerAuth(tokens);
  if (guard) app.use('*', guard);
  app.post('/invoke', (c) => c.json({ ok: true }));
  app.get('/healthz', (c) => c.json({ ok: true }));
  return app;
};
const invokeToken = 'gateway-token-0123456789';
const appApiToken = 'sidecar-token-0123456789';

describe('callerAuth', () => {
  it('takes the sidecar’s app token or the gateway’s bearer, each in its own header only', async () => {
    const app = appWith({ invokeToken, appApiToken });
    const post = (headers: Record<string, string>) => app.request('/invoke', { method: 'POST', headers });
    expect((await post({ 'dapr-api-token': appApiToken })).status).toBe(200);
    expect((await post({ authorization: `Bearer ${invokeToken}` })).status).toBe(200);
    expect((await post({ 'dapr-api-token': invokeToken })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${appApiToken}` })).status).toBe(401);
    expect((await post({ authorization: `bearer ${invokeToken}` })).status).toBe(401);
    expect((await post({})).status).toBe(401);
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('names only the credentials this process takes in its refusal', async () => {
    const refused = await appWith({ invokeToken }).request('/invoke', { method: 'POST' });
    const { error } = (await refused.json()) as { error: string };
    expect(error).toContain('FLOWLINE_INVOKE_TOKEN');
    expect(error).not.toContain('APP_API_TOKEN');
  });

  it('guards nothing when no token is set (the process warns at start instead)', async () => {
    expect(callerAuth({})).toBeUndefined();
    expect((await appWith({}).request('/invoke', { method: 'POST' })).status).toBe(200);
  });
});
