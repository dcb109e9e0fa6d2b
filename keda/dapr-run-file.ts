import type { FunctionManifest } from '../runtime/manifest.ts';

/** The app ports `dapr run -f` gives the functions, in name order: 3101, 3102, … */
export const firstAppPort = 3101;

/**
 * local-dev/dapr.yaml: every function as a Dapr app with its own sidecar, for
 * `dapr run -f local-dev/dapr.yaml` against the services of `npm run services up`.
 * Paths are relative to the run file. The app ids are the function names, so the
 * consumer groups are the ones the chart and KEDA use.
 *
 * The apps get `env`; daprd does not (the Dapr CLI starts it with the shell's own
 * environment), and the components read KAFKA_BROKERS and REDIS_HOST through envRef:
 * export those in the shell first, as the file's header says.
 */
export function daprRunFileOf(manifests: readonly FunctionManifest[]): object {
  return {
    version: 1,
    common: {
      resourcesPaths: ['../components'],
      configFilePath: '../components/config.yaml',
      appProtocol: 'http',
      appHealthCheckPath: '/healthz',
      enableAppHealthCheck: true,
      // On the console, not in .dapr/logs/ under appDirPath (the repository root).
      appLogDestination: 'console',
      daprdLogDestination: 'console',
      env: {
        FLOWLINE_HOST: 'dapr',
        LOG_LEVEL: 'info',
        REDIS_URL: 'redis://127.0.0.1:16379',
        DATABASE_URL: 'postgres://flowline@127.0.0.1:15432/flowline',
      },
    },
    apps: manifests.map((manifest, i) => ({
      appID: manifest.name,
      appDirPath: '..',
      appPort: firstAppPort + i,
      command: ['node', 'runtime/run.ts', `functions/${manifest.name}`],
      env: { PORT: String(firstAppPort + i) },
    })),
  };
}
