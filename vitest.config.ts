import { defineConfig } from 'vitest/config';

/**
 * unit: no services, runs anywhere in seconds.
 * integration: real Kafka, PostgreSQL, Redis and daprd, installed and started by
 * local-dev/ (tests/global-setup.ts) on loopback.
 */
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{runtime,contracts,config,functions,gateway,edge-adapter,keda,local-dev,cli}/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
