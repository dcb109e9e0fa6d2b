import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv, RuntimeEnv } from './config.ts';
import { nodeVersionProblem, requiredNodeMajor } from './node-version.ts';

describe('runtime environment', () => {
  it('defaults to the embedded host with in-process stand-ins', () => {
    expect(parseEnv(RuntimeEnv, {})).toMatchObject({
      FLOWLINE_HOST: 'memory',
      REDIS_URL: 'memory://',
      DATABASE_URL: 'memory://',
      PORT: 8080,
    });
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
