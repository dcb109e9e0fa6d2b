import { describe, expect, it } from 'vitest';
import { ConfigError, dependencyUrls, parseEnv, RuntimeEnv } from './config.ts';
import { nodeVersionProblem, requiredNodeMajor } from './node-version.ts';

describe('runtime environment', () => {
  it('defaults to the embedded host with in-process stand-ins', () => {
    const env = parseEnv(RuntimeEnv, {});
    expect(env).toMatchObject({ FLOWLINE_HOST: 'memory', PORT: 8080 });
    expect(dependencyUrls(env, { redis: ['alarm'], postgres: ['persist'] })).toEqual({ redis: 'memory://', database: 'memory://' });
  });

  it.each(['kafka', 'dapr'])('fails closed on the %s host: no stand-in for a dependency a function needs', (host) => {
    const env = parseEnv(RuntimeEnv, { FLOWLINE_HOST: host, REDIS_URL: 'memory://' });
    const needs = { redis: ['validate', 'alarm'], postgres: ['persist'] };
    expect(() => dependencyUrls(env, needs)).toThrow(ConfigError);
    expect(() => dependencyUrls(env, needs)).toThrow(
      /REDIS_URL=memory:\/\/ is an in-process stand-in, for FLOWLINE_HOST=memory only: validate, alarm need Redis; set REDIS_URL=redis:\/\/host:6379/,
    );
    expect(() => dependencyUrls(env, needs)).toThrow(/DATABASE_URL is not set: persist needs PostgreSQL; set DATABASE_URL=postgres:\/\//);
    // What nobody needs need not be set.
    expect(dependencyUrls(env, { redis: [], postgres: [] })).toEqual({ redis: 'memory://', database: 'memory://' });
    expect(
      dependencyUrls(parseEnv(RuntimeEnv, { FLOWLINE_HOST: host, REDIS_URL: 'redis://r:6379', DATABASE_URL: 'postgres://p/db' }), needs),
    ).toEqual({ redis: 'redis://r:6379', database: 'postgres://p/db' });
  });

  it('names every wrong variable, what it got and what it should be, and hides passwords', () => {
    let error: unknown;
    try {
      parseEnv(RuntimeEnv, {
        FLOWLINE_HOST: 'lambda',
        PORT: '99999',
        REDIS_URL: 'localhost:6379',
        KAFKA_SASL_PASSWORD: 'x',
        KAFKA_SESSION_TIMEOUT_MS: '10',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('FLOWLINE_HOST');
    expect(message).toContain('"lambda"');
    expect(message).toContain('PORT');
    expect(message).toContain('REDIS_URL: use redis://host:port');
    expect(message).not.toContain('"x"');
  });
});

describe('Node.js version', () => {
  it(`runs on Node.js ${requiredNodeMajor} (npm scripts use the pinned node@${requiredNodeMajor})`, () => {
    expect(nodeVersionProblem()).toBeUndefined();
  });

  it('explains what to do on the wrong major', () => {
    expect(nodeVersionProblem('20.20.2')).toMatch(/needs Node\.js 24, but this is Node\.js 20\.20\.2.*npm rebuild node/);
  });
});
