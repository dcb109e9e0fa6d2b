import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';

export interface InProcessBroker {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * An MQTT broker in this process (aedes), for `npm start` and the standalone simulators:
 * the pad's broker without installing one. The tests use a real Mosquitto instead
 * (local-dev/services/mosquitto.ts).
 */
export async function startInProcessBroker(options: { host?: string; port?: number } = {}): Promise<InProcessBroker> {
  const host = options.host ?? '127.0.0.1';
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 1883, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 1883);
  return {
    url: `mqtt://${host}:${port}`,
    port,
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
