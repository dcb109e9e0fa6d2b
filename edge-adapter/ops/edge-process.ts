import { type Logger, pino } from 'pino';
import { ConfigError } from '../../runtime/config.ts';
import { isKafkaAccessError } from '../../runtime/hosts/kafka/kafka-access-error.ts';
import { ConfigFileError } from '../../runtime/yaml-config.ts';
import { BufferKeyError } from '../store-and-forward/journal-cipher.ts';
import { edgeVersion } from '../version.ts';

/**
 * The life of an edge process (the adapter alone, or a whole site): settings read or
 * exit 2 with what to fix; started or exit with why; stopped once on SIGTERM/SIGINT, exiting anyway after
 * 30 s — what was not sent stays in the buffer for the next start.
 */
export async function runEdgeProcess<S extends { config: { site: string } }>(options: {
  service: 'edge-adapter' | 'edge-site';
  settings: () => S;
  logLevel: (settings: S) => string;
  start: (settings: S, log: Logger) => Promise<{ stop(): Promise<void> }>;
}): Promise<void> {
  const { service } = options;
  let settings: S;
  try {
    settings = options.settings();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ConfigFileError) {
      console.error(`${service}: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const log = pino({ level: options.logLevel(settings), base: { service, site: settings.config.site, version: edgeVersion } });
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));

  let running: { stop(): Promise<void> };
  try {
    running = await options.start(settings, log);
  } catch (error) {
    // A broker that refuses our certificate or password, or a buffer whose key is not the one
    // given, is configuration (2); a buffer another process holds, a state directory it cannot
    // write, the rest (1).
    log.fatal({ err: error }, (error as Error).message);
    process.exit(isKafkaAccessError(error) || error instanceof BufferKeyError ? 2 : 1);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now; the buffer keeps what was not sent');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    setTimeout(() => process.exit(1), 30_000).unref();
    await running.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
