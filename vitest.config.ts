import { defineConfig } from 'vitest/config';

/**
 * unit: no services, runs anywhere in seconds.
 * integration: real Kafka, PostgreSQL, Redis and daprd (and, for tests/integration/kubernetes-*,
 * a control plane with KEDA: local-dev/services/kubernetes.ts, keda.ts), installed and started by
 * local-dev/ (tests/global-setup.ts) on loopback.
 * e2e: the operators' console in Debian's headless Chromium (installed by
 * local-dev/services/chromium.ts), against the real functions.
 * faults: the pipeline under injected faults, on services of its own, counted exactly
 * (test-results/faults.md); `npm test` runs it beside the others (tests/run-all.ts).
 */
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{runtime,contracts,config,functions,gateway,edge-adapter,edge-site,keda,local-dev,cli}/**/*.test.ts'],
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
          // An explicit order for the projects that run one file at a time: vitest otherwise runs
          // them after every numbered group (the fault suite included). integration and e2e share
          // a group: they share the services their global setups start, which a project's
          // teardown stops when its group ends.
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          globalSetup: ['tests/faults/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
          // Side by side: most of a case is waiting out its fault, and each file that stops or
          // kills a service has that service to itself (tests/faults/own-services.ts).
          fileParallelism: true,
          maxWorkers: 3,
          // `npm test` runs this project in a vitest run of its own, beside the others
          // (tests/run-all.ts); in a single run (`vitest run`) it comes after every other
          // project: it stops and kills services, and wants the cores.
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          // A browser's answer can take more than vitest's default second when the fault suite
          // runs beside this project (tests/run-all.ts): seen once at sign-in.
          expect: { poll: { timeout: 10_000 } },
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
