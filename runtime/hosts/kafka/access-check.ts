import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { createKafka, type KafkaConnection } from './client.ts';
import { KafkaAccessError, type KafkaAccessReason } from './kafka-access-error.ts';

/** What the settings are called where the user sets them: environment variables, or the edge adapter's YAML. */
export interface KafkaSettingNames {
  brokers: string;
  tlsOn: string;
  tlsOff: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  saslMechanism: string;
  saslUsername: string;
  saslPassword: string;
}

export const kafkaEnvNames: KafkaSettingNames = {
  brokers: 'KAFKA_BROKERS',
  tlsOn: 'KAFKA_SSL=true',
  tlsOff: 'KAFKA_SSL=false',
  caFile: 'KAFKA_SSL_CA_FILE',
  certFile: 'KAFKA_SSL_CERT_FILE',
  keyFile: 'KAFKA_SSL_KEY_FILE',
  saslMechanism: 'KAFKA_SASL_MECHANISM',
  saslUsername: 'KAFKA_SASL_USERNAME',
  saslPassword: 'KAFKA_SASL_PASSWORD',
};

export type KafkaAccess = { reachable: true } | { reachable: false; error: Error };

// A connection closed or reset before any answer is what a listener expecting another
// protocol does, but also what a proxy in front of a broker that is away does: asked again
// (one `pause` apart), and if it persists reported as the likely cause, never fatal.
const attempts = 3;
const pause = 300;
// A broker that accepts but does not answer is away, not refusing: said after this, not kafkajs' 30 s.
const requestTimeoutMs = 10_000;

/**
 * Made once at start, before a consumer, producer or admin with retries: the client
 * certificate checked on disk (expiry, key pair), then one connection to the brokers
 * without retries. What retrying cannot fix (trust, a refused certificate, SASL
 * credentials) throws KafkaAccessError naming the setting; a broker that is merely away
 * resolves `reachable: false` (with a warning naming the likely misconfiguration when the
 * connection is cut before any answer), and the caller's own retries take over.
 */
export async function checkKafkaAccess(
  connection: KafkaConnection,
  options: { log: Logger; names?: KafkaSettingNames },
): Promise<KafkaAccess> {
  const names = options.names ?? kafkaEnvNames;
  checkClientCertificate(connection, names);
  let suspicion: KafkaAccessError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // Silent: this attempt's failure is reported below, classified, not as kafkajs' raw log.
    const admin = createKafka(connection, options.log.child({}, { level: 'silent' }), { retry: { retries: 0 }, requestTimeoutMs }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return { reachable: true };
    } catch (error) {
      const verdict = classify(error, connection, names);
      if (verdict?.certain) throw verdict.error;
      if (!verdict) {
        const reason = causesOf(error).at(-1)?.message ?? String(error);
        options.log.warn({ brokers: connection.brokers, reason }, 'Kafka not reachable at start; carrying on, the clients retry');
        return { reachable: false, error: error as Error };
      }
      suspicion = verdict.error;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, pause));
  }
  const likely = suspicion as KafkaAccessError;
  options.log.warn(
    { brokers: connection.brokers, reason: likely.reason },
    `Kafka not usable at start; carrying on, the clients retry: ${likely.message}`,
  );
  return { reachable: false, error: likely };
}

/** An expired certificate, or one whose key is not beside it, is refused by any broker: said before connecting. */
function checkClientCertificate(connection: KafkaConnection, names: KafkaSettingNames): void {
  if (!connection.ssl || !connection.sslCertFile || !connection.sslKeyFile) return;
  const certFile = `${names.certFile}=${connection.sslCertFile}`;
  const cert = new X509Certificate(readFileSync(connection.sslCertFile));
  const now = Date.now();
  if (Date.parse(cert.validTo) < now)
    throw new KafkaAccessError(
      'client-certificate-expired',
      `${certFile} expired on ${new Date(cert.validTo).toISOString()}: the broker refuses it; renew the client certificate (or fix this machine's clock)`,
    );
  if (Date.parse(cert.validFrom) > now)
    throw new KafkaAccessError(
      'client-certificate-not-yet-valid',
      `${certFile} is valid only from ${new Date(cert.validFrom).toISOString()}: check this machine's clock`,
    );
  if (!cert.checkPrivateKey(createPrivateKey(readFileSync(connection.sslKeyFile))))
    throw new KafkaAccessError(
      'client-key-mismatch',
      `${names.keyFile}=${connection.sslKeyFile} is not the private key of ${certFile}: use the key issued with that certificate`,
    );
}

type Cause = Error & { code?: unknown; type?: unknown };

function causesOf(error: unknown): Cause[] {
  const chain: Cause[] = [];
  for (let e = error; e instanceof Error && chain.length < 8; e = e.cause) chain.push(e as Cause);
  return chain;
}

const untrustedBroker = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
// TLS alerts a broker sends about our certificate (the names vary with the OpenSSL version).
const certificateAlert =
  /ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)/;
const notTls = /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL/;

/**
 * `certain`: one occurrence says it all, and retrying cannot change it. Otherwise a
 * suspicion, reported when every attempt ends the same. No verdict: the network.
 */
function classify(
  error: unknown,
  connection: KafkaConnection,
  names: KafkaSettingNames,
): { certain: boolean; error: KafkaAccessError } | undefined {
  const chain = causesOf(error);
  const code = chain.map((e) => (typeof e.code === 'string' ? e.code : '')).find(Boolean) ?? '';
  const type = chain.map((e) => (typeof e.type === 'string' ? e.type : '')).find(Boolean) ?? '';
  const at = connection.brokers.join(',');
  const certain = (reason: KafkaAccessReason, message: string) => ({
    certain: true,
    error: new KafkaAccessError(reason, message, { cause: error }),
  });
  const suspect = (reason: KafkaAccessReason, message: string) => ({
    certain: false,
    error: new KafkaAccessError(reason, message, { cause: error }),
  });
  const sasl = connection.sasl;

  if (chain.some((e) => e.name === 'KafkaJSSASLAuthenticationError') && sasl)
    return certain(
      'sasl-credentials-refused',
      `the broker at ${at} refused SASL ${sasl.mechanism.toUpperCase()} authentication as "${sasl.username}" (wrong password, or no such user): check ${names.saslUsername} and ${names.saslPassword} against the user's Secret`,
    );
  if (type === 'UNSUPPORTED_SASL_MECHANISM' && sasl)
    return certain(
      'sasl-mechanism-refused',
      `the broker at ${at} does not enable SASL ${sasl.mechanism.toUpperCase()} on this listener: set ${names.saslMechanism} to a mechanism the listener enables`,
    );
  if (type === 'ILLEGAL_SASL_STATE' && sasl)
    return certain(
      'sasl-not-on-this-listener',
      `the listener at ${at} does not use SASL: unset ${names.saslMechanism}, ${names.saslUsername} and ${names.saslPassword}, or use the broker's SASL_SSL port`,
    );
  if (untrustedBroker.has(code)) {
    const ca = connection.sslCaFile ? `${names.caFile}=${connection.sslCaFile}` : `the system's CAs (${names.caFile} is not set)`;
    return certain(
      'broker-certificate-untrusted',
      `the broker at ${at} presents a certificate that ${ca} cannot verify (${code}): set ${names.caFile} to the PEM file of the CA that signed the broker's certificate`,
    );
  }
  if (code === 'CERT_HAS_EXPIRED')
    return certain(
      'broker-certificate-expired',
      `the broker at ${at} presents an expired certificate (CERT_HAS_EXPIRED): the broker's certificate must be renewed (or this machine's clock is wrong)`,
    );
  if (code === 'CERT_NOT_YET_VALID')
    return certain(
      'broker-certificate-not-yet-valid',
      `the broker at ${at} presents a certificate that is not valid yet (CERT_NOT_YET_VALID): check this machine's clock`,
    );
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return certain(
      'broker-hostname-mismatch',
      `the broker's certificate does not name the host it was reached at (${at}): use in ${names.brokers} a host name the certificate carries`,
    );
  if (certificateAlert.test(code)) {
    if (!connection.sslCertFile)
      return certain(
        'client-certificate-required',
        `the broker at ${at} requires a client certificate (mutual TLS) and none is configured (TLS alert ${code}): set ${names.certFile} and ${names.keyFile}`,
      );
    return certain(
      'client-certificate-refused',
      `the broker at ${at} refused the client certificate ${names.certFile}=${connection.sslCertFile} (TLS alert ${code}): it is not signed by a CA the broker trusts for clients, or it is revoked; use a certificate issued for this client by that CA`,
    );
  }
  const closed = chain.some((e) => e.name === 'KafkaJSConnectionClosedError');
  const resetBeforeTls = code === 'ECONNRESET' && chain.some((e) => /before secure TLS connection/.test(e.message));
  if (connection.ssl && (notTls.test(code) || resetBeforeTls))
    return suspect(
      'listener-is-not-tls',
      `the listener at ${at} cuts the TLS handshake (${code}): if it is a plaintext listener, set ${names.tlsOff}, or use the broker's TLS port in ${names.brokers}`,
    );
  if (closed && !connection.ssl)
    return suspect(
      'listener-closes-at-once',
      `the broker at ${at} closes every connection at once: if its listener expects TLS, set ${names.tlsOn} and ${names.caFile}, or use the broker's plaintext port`,
    );
  if (closed && !sasl)
    return suspect(
      'listener-closes-at-once',
      `the broker at ${at} closes every connection after the TLS handshake: if its listener expects SASL, set ${names.saslMechanism}, ${names.saslUsername} and ${names.saslPassword}`,
    );
  return undefined;
}
