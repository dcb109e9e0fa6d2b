import type { TestProject } from 'vitest/node';
import { chromiumBin } from '../../local-dev/services/chromium.ts';
import { startRedis, stopRedis } from '../../local-dev/services/redis.ts';

export interface BrowserServices {
  /** Debian's Chromium, installed with apt-get when missing (local-dev/services/chromium.ts). */
  chromium: string;
  redisUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    browser: BrowserServices;
  }
}

/**
 * The browser tests' services: a real Chromium and a real Redis on loopback (the
 * functions and the gateway run in the test process, on the memory host, with an
 * embedded PostgreSQL). TEST_REDIS_URL and FLOWLINE_CHROMIUM use your own instead.
 * What this setup started, it stops (FLOWLINE_KEEP_SERVICES=1 keeps it).
 */
export default async function setup(project: TestProject) {
  const chromium = chromiumBin();
  let started = false;
  let redisUrl = process.env.TEST_REDIS_URL;
  if (!redisUrl) {
    const redis = await startRedis();
    started = redis.started;
    redisUrl = redis.url;
  }
  project.provide('browser', { chromium, redisUrl });
  return async () => {
    if (started && process.env.FLOWLINE_KEEP_SERVICES !== '1') await stopRedis();
  };
}
