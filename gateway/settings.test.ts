import { describe, expect, it } from 'vitest';
import { parseEnv } from '../runtime/config.ts';
import { GatewaySettings, RateLimitSettings, rateLimitsOf, startupProblems } from './settings.ts';

/** gateway/main.ts's environment: wrong values are named with what to write instead. */
const base = {
  DATABASE_URL: 'postgres://flowline:x@db:5432/flowline',
  REDIS_URL: 'redis://redis:6379',
  GATEWAY_JWT_SECRET: 'x'.repeat(32),
};

describe('GatewaySettings', () => {
  it('reads lists, limits, topics and edge adapters', () => {
    const settings = parseEnv(GatewaySettings, {
      ...base,
      GATEWAY_CORS_ORIGINS: 'https://a.example, https://b.example',
      GATEWAY_PUBLISH_TOPICS: 'well-testing.test-completed=operator|supervisor;scada.telemetry.raw=scada',
      GATEWAY_EDGE_ADAPTERS: 'acme/pad-7=http://edge-pad-7:9464,acme/pad-8=http://edge-pad-8:9464',
    });
    expect(settings.FLOWLINE_HOST).toBe('kafka');
    expect(settings.GATEWAY_CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(settings.GATEWAY_PUBLISH_TOPICS).toEqual({
      'well-testing.test-completed': ['operator', 'supervisor'],
      'scada.telemetry.raw': ['scada'],
    });
    expect(settings.GATEWAY_EDGE_ADAPTERS).toEqual([
      { tenantId: 'acme', site: 'pad-7', url: 'http://edge-pad-7:9464' },
      { tenantId: 'acme', site: 'pad-8', url: 'http://edge-pad-8:9464' },
    ]);
    expect(settings.GATEWAY_FUNCTION_URL).toBe('http://{name}:8080/invoke');
  });

  it('names each wrong variable and what it should be', () => {
    let message = '';
    try {
      parseEnv(GatewaySettings, {
        DATABASE_URL: 'memory://',
        REDIS_URL: 'memory://',
        GATEWAY_JWT_SECRET: 'short',
        FLOWLINE_HOST: 'memory',
        GATEWAY_PUBLISH_TOPICS: 'x=chef',
        GATEWAY_EDGE_ADAPTERS: 'pad-7',
        GATEWAY_FUNCTION_URL: 'http://validate:8080',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const line of [
      /DATABASE_URL: use postgres:\/\/user:pass@host:port\/db .*\(got "memory:\/\/"\)/,
      /REDIS_URL: use redis:\/\/host:port .*\(got "memory:\/\/"\)/,
      /FLOWLINE_HOST: the gateway runs with FLOWLINE_HOST=kafka or dapr/,
      /GATEWAY_PUBLISH_TOPICS: use topic=role\|role;topic=role/,
      /GATEWAY_EDGE_ADAPTERS: "pad-7": use tenant\/site=http:\/\/host:port/,
      /GATEWAY_FUNCTION_URL: a URL template with \{name\}/,
    ])
      expect(message).toMatch(line);
  });

  it('checks the secret and the ways in without printing the secret', () => {
    const settings = parseEnv(GatewaySettings, { ...base, GATEWAY_JWT_SECRET: 'hunter2', GATEWAY_USERS_FILE: '/etc/flowline/users.yaml' });
    const problems = startupProblems(settings);
    expect(problems).toEqual(['GATEWAY_JWT_SECRET: at least 32 characters (256 bits) for HS256 (it has 7)']);
    expect(problems.join()).not.toContain('hunter2');
    expect(startupProblems(parseEnv(GatewaySettings, { DATABASE_URL: base.DATABASE_URL, REDIS_URL: base.REDIS_URL }))).toEqual([
      'set GATEWAY_JWKS_URL (your identity provider), GATEWAY_JWT_SECRET, or GATEWAY_API_KEYS_FILE: otherwise no one could sign in',
    ]);
  });
});

describe('RateLimitSettings', () => {
  it('reads the budgets gateway/main.ts and npm start share, with the documented defaults', () => {
    expect(rateLimitsOf(parseEnv(RateLimitSettings, {}))).toEqual({ read: 600, write: 60, ingest: 1200, signIn: 10, windowMs: 60_000 });
    expect(
      rateLimitsOf(parseEnv(RateLimitSettings, { GATEWAY_RATE_READ_PER_MINUTE: '100000', GATEWAY_RATE_WRITE_PER_MINUTE: '5000' })),
    ).toMatchObject({ read: 100_000, write: 5000 });
    expect(() => parseEnv(RateLimitSettings, { GATEWAY_RATE_WRITE_PER_MINUTE: '0' })).toThrow(/GATEWAY_RATE_WRITE_PER_MINUTE/);
    expect(rateLimitsOf(parseEnv(GatewaySettings, { ...base, GATEWAY_RATE_INGEST_PER_MINUTE: '7' })).ingest).toBe(7);
  });
});
