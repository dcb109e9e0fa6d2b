import { readFileSync } from 'node:fs';
import type { IClientOptions, Store } from 'mqtt';
import type { MqttConnection } from '../config/mqtt-connection.ts';

/**
 * A connection's configuration as mqtt.js options, with the TLS files read now (at each
 * start, so a renewed certificate is picked up by a restart). Reconnecting is the
 * connection's own (back-off), so mqtt.js is told never to do it by itself.
 */
export function mqttClientOptions(
  connection: MqttConnection,
  clientId: string,
  stores: { incomingStore: Store; outgoingStore: Store },
): IClientOptions {
  const tls = connection.tls;
  return {
    clientId,
    protocolVersion: connection.protocolVersion,
    clean: connection.clean,
    keepalive: connection.keepaliveSeconds,
    connectTimeout: connection.connectTimeoutMs,
    reconnectPeriod: 0,
    manualConnect: true,
    // Subscriptions are renewed by the connection on every connect; a publish while
    // disconnected is refused, not queued (a setpoint sent late is worse than one refused).
    resubscribe: false,
    queueQoSZero: false,
    ...stores,
    ...(connection.protocolVersion === 5 && !connection.clean
      ? { properties: { sessionExpiryInterval: connection.sessionExpirySeconds } }
      : {}),
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined ? {} : { password: connection.password }),
    ...(tls
      ? {
          rejectUnauthorized: tls.rejectUnauthorized,
          ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
          ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
          ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
          ...(tls.servername ? { servername: tls.servername } : {}),
        }
      : {}),
  };
}
