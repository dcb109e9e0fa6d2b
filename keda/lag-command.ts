/**
 * `flowline lag`: consumer lag per function, topic and partition, and the replica count
 * KEDA and the HPA will choose from it (keda/kafka-scaler-formula.ts).
 *
 *   node keda/lag-command.ts                         print the table once
 *   node keda/lag-command.ts --json                  the same as JSON
 *   node keda/lag-command.ts --serve 9464            serve it on /metrics for Prometheus
 *   node keda/lag-command.ts --kubeconfig ~/.kube/config --namespace flowline
 *                                                    beside what the cluster's KEDA reports and
 *                                                    the replicas its HPA set; exit 3 where they differ
 *
 * Kafka connection from the same variables as the function runner (connection-from-env.ts):
 * KAFKA_BROKERS, KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE/KEY_FILE,
 * KAFKA_SASL_MECHANISM/USERNAME/PASSWORD.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import { z } from 'zod';
import { ConfigError, parseEnv, RuntimeEnv } from '../runtime/config.ts';
import { checkKafkaAccess } from '../runtime/hosts/kafka/access-check.ts';
import { createKafka, type KafkaConnection } from '../runtime/hosts/kafka/client.ts';
import { kafkaConnectionFromEnv, kafkaEnvKeys } from '../runtime/hosts/kafka/connection-from-env.ts';
import { isKafkaAccessError } from '../runtime/hosts/kafka/kafka-access-error.ts';
import { opsRoutes } from '../runtime/hosts/ops-routes.ts';
import { disagreementsOf, readClusterScaling } from './cluster-scaling.ts';
import { loadFunctionManifests } from './function-manifests.ts';
import { type KubeApi, kubeApi } from './kube-api.ts';
import { readKubeconfig } from './kubeconfig.ts';
import { type FunctionLag, type LagTarget, lagTargetOf, readFunctionLag } from './lag.ts';
import { createLagRegistry } from './lag-metrics.ts';
import { lagTable } from './lag-table.ts';
import { readLagTargets } from './lag-targets-file.ts';

const usage = `usage: flowline lag [options]
  --brokers <host:port,...>   Kafka bootstrap servers (default: $KAFKA_BROKERS)
  --functions <dir>           the function folders (default: functions/ of this checkout)
  --targets <file.yaml>       the chart's function list instead (what the lag exporter in a release reads)
  --function <name>           only this function (repeatable)
  --current <name>=<n>        current replicas of a function, to apply the HPA's 10 % tolerance (repeatable)
  --kubeconfig <file>         also read the release's ScaledObjects, KEDA's external metrics and the
                              Deployments' replicas (client certificate or token), and say where they
                              differ from the prediction (exit 3); current replicas come from there
  --namespace <ns>            the release's namespace (default: the kubeconfig context's, else default)
  --json                      print JSON instead of a table
  --serve <port>              serve /metrics, /healthz and /readyz on this port until SIGTERM
  --help`;

const LagEnv = RuntimeEnv.pick({ ...kafkaEnvKeys, LOG_LEVEL: true });

const Options = z.object({
  brokers: z.string().min(1).optional(),
  functions: z
    .string()
    .min(1)
    .default(resolve(import.meta.dirname, '..', 'functions')),
  targets: z.string().min(1).optional(),
  function: z.array(z.string()).default([]),
  current: z
    .array(z.string().regex(/^[a-z0-9-]+=\d+$/, '--current takes <function>=<replicas>, e.g. validate=3'))
    .default([])
    .transform((pairs) => new Map(pairs.map((pair) => [pair.split('=')[0] ?? '', Number(pair.split('=')[1])]))),
  kubeconfig: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  json: z.boolean().default(false),
  serve: z.coerce.number().int().min(1).max(65535).optional(),
  help: z.boolean().default(false),
});

/**
 * Runs the command; resolves with the process exit code (0 ok, 1 unreadable lag, 2 usage
 * or configuration). `--serve` runs until SIGTERM/SIGINT, or until `signal` aborts.
 */
export async function main(argv: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number> {
  let args: z.infer<typeof Options>;
  let env: z.infer<typeof LagEnv>;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        brokers: { type: 'string' },
        functions: { type: 'string' },
        targets: { type: 'string' },
        function: { type: 'string', multiple: true },
        current: { type: 'string', multiple: true },
        kubeconfig: { type: 'string' },
        namespace: { type: 'string' },
        json: { type: 'boolean' },
        serve: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    args = Options.parse(values);
    env = parseEnv(LagEnv);
  } catch (error) {
    const message =
      error instanceof z.ZodError ? error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n') : (error as Error).message;
    console.error(`${message}\n${error instanceof ConfigError ? '' : usage}`);
    return 2;
  }
  if (args.help) {
    console.log(usage);
    return 0;
  }
  if (args.kubeconfig && args.serve !== undefined) {
    console.error(`--kubeconfig compares once; the exporter (--serve) reports the prediction alone\n${usage}`);
    return 2;
  }
  let cluster: { api: KubeApi; namespace: string } | undefined;
  if (args.kubeconfig) {
    try {
      const credentials = readKubeconfig(args.kubeconfig);
      cluster = { api: kubeApi(credentials), namespace: args.namespace ?? credentials.namespace ?? 'default' };
    } catch (error) {
      console.error(`--kubeconfig ${args.kubeconfig}: ${(error as Error).message}`);
      return 2;
    }
  }

  let targets: LagTarget[];
  try {
    const all = args.targets ? await readLagTargets(args.targets) : (await loadFunctionManifests(args.functions)).map(lagTargetOf);
    targets = all.filter((t) => args.function.length === 0 || args.function.includes(t.function));
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const unknown = args.function.filter((name) => !targets.some((t) => t.function === name));
  if (unknown.length > 0) {
    console.error(`no function named ${unknown.join(', ')} in ${args.targets ?? args.functions}`);
    return 2;
  }

  const log = pino({ level: env.LOG_LEVEL, base: { service: 'flowline-lag' } }, pino.destination(2));
  let connection: KafkaConnection;
  try {
    connection = kafkaConnectionFromEnv({ ...env, KAFKA_BROKERS: args.brokers ?? env.KAFKA_BROKERS }, 'flowline-lag');
    // A refused certificate or password is a configuration error (exit 2), not unreadable lag.
    await checkKafkaAccess(connection, { log });
  } catch (error) {
    if (!(error instanceof ConfigError) && !isKafkaAccessError(error)) throw error;
    console.error(error.message);
    return 2;
  }
  const kafka = createKafka(connection, log);
  const admin = kafka.admin();
  const read = async (): Promise<FunctionLag[]> => {
    await admin.connect(); // idempotent: reconnects after a broker restart
    return Promise.all(targets.map((t) => readFunctionLag(admin, t, args.current.get(t.function))));
  };

  if (args.serve !== undefined) return serveMetrics(args.serve, read, admin, log, options.signal);

  try {
    if (cluster) return await compareWithCluster(cluster, targets, args, admin);
    const results = await read();
    console.log(args.json ? JSON.stringify(results, null, 2) : lagTable(results));
    return results.every((r) => r.decision) ? 0 : 1;
  } catch (error) {
    console.error(`cannot read consumer lag: ${(error as Error).message}`);
    return 1;
  } finally {
    await admin.disconnect();
  }
}

/** The prediction beside what the cluster's KEDA and HPA did; the Deployments' replicas are the current ones. */
async function compareWithCluster(
  cluster: { api: KubeApi; namespace: string },
  targets: readonly LagTarget[],
  args: { current: Map<string, number>; json: boolean },
  admin: ReturnType<ReturnType<typeof createKafka>['admin']>,
): Promise<number> {
  await admin.connect();
  const rows = await Promise.all(
    targets.map(async (target) => {
      const scaling = await readClusterScaling(cluster.api, cluster.namespace, target);
      const lag = await readFunctionLag(admin, target, args.current.get(target.function) ?? scaling.replicas);
      return { lag, cluster: { ...scaling, disagreements: disagreementsOf(lag, scaling) } };
    }),
  );
  if (args.json)
    console.log(
      JSON.stringify(
        rows.map((r) => ({ ...r.lag, cluster: r.cluster })),
        null,
        2,
      ),
    );
  else {
    const lines = rows.map(({ lag, cluster: c }) =>
      c.disagreements.length === 0
        ? `${lag.target.function}: the cluster agrees (KEDA reports the same metrics, the Deployment has ${c.replicas} replicas)`
        : `${lag.target.function}: the cluster differs: ${c.disagreements.join('; ')} (the HPA acts every sync period, 15 s by default: read again before trusting a replica difference)`,
    );
    console.log([lagTable(rows.map((r) => r.lag)), '', ...lines].join('\n'));
  }
  if (!rows.every((r) => r.lag.decision)) return 1;
  return rows.some((r) => r.cluster.disagreements.length > 0) ? 3 : 0;
}

async function serveMetrics(
  port: number,
  read: () => Promise<FunctionLag[]>,
  admin: ReturnType<ReturnType<typeof createKafka>['admin']>,
  log: pino.Logger,
  signal: AbortSignal | undefined,
): Promise<number> {
  const registry = createLagRegistry(read);
  const app = opsRoutes({
    registry,
    checks: { kafka: () => admin.connect().then(() => admin.describeCluster()) },
    about: { service: 'flowline-lag' },
    timeoutMs: 5_000,
  });
  const server = serve({ fetch: app.fetch, port, hostname: '0.0.0.0' }, (info) =>
    log.info({ port: info.port }, 'serving consumer lag on /metrics'),
  );
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      done();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
  });
  await new Promise<void>((done) => server.close(() => done()));
  await admin.disconnect();
  return 0;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
