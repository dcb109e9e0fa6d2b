import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCa, makeLeaf } from './kubernetes-pki.ts';
import { ServiceError, which } from './process.ts';

/** A client certificate and its key, as PEM files (what KAFKA_SSL_CERT_FILE / KAFKA_SSL_KEY_FILE name). */
export interface ClientCertificate {
  cert: string;
  key: string;
}

/**
 * The certificates of the secured local broker, made once per state directory with the
 * openssl CLI: the broker presents `brokerKeystore` (key and chain in one PEM file, as
 * Kafka's ssl.keystore.type=PEM wants it) and trusts `caCert` for client certificates.
 * The expired certificate and the one from `rogueCaCert` exist for the tests of refusals.
 */
export interface KafkaPki {
  dir: string;
  caCert: string;
  brokerKeystore: string;
  /** CN=flowline-client, signed by the CA: accepted on the mutual-TLS listener. */
  client: ClientCertificate;
  /** Signed by the CA, but its validity ended yesterday. */
  expiredClient: ClientCertificate;
  /** A CA the broker does not know: as a client's trust store it cannot verify the broker. */
  rogueCaCert: string;
  /** Signed by the rogue CA: refused by the mutual-TLS listener. */
  rogueClient: ClientCertificate;
}

/** Makes what is missing under `dir` (idempotent: an existing set is reused). */
export function ensureKafkaPki(dir: string): KafkaPki {
  const at = (file: string) => join(dir, file);
  const pair = (name: string): ClientCertificate => ({ cert: at(`${name}.crt`), key: at(`${name}.key`) });
  const pki: KafkaPki = {
    dir,
    caCert: at('ca.crt'),
    brokerKeystore: at('broker-keystore.pem'),
    client: pair('client'),
    expiredClient: pair('expired-client'),
    rogueCaCert: at('rogue-ca.crt'),
    rogueClient: pair('rogue-client'),
  };
  // Written last: its presence means the whole set was made.
  const done = at('complete');
  if (existsSync(done)) return pki;
  if (!which('openssl')) throw new ServiceError('the secured Kafka needs the openssl CLI for its certificates: install openssl');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caKey = at('ca.key');
  makeCa(pki.caCert, caKey, 'flowline-kafka-local-ca');
  const broker = pair('broker');
  makeLeaf({
    ...broker,
    caCert: pki.caCert,
    caKey,
    subject: '/CN=127.0.0.1',
    usage: ['serverAuth', 'clientAuth'],
    altNames: ['IP:127.0.0.1', 'DNS:localhost'],
  });
  writeFileSync(pki.brokerKeystore, readFileSync(broker.key, 'utf8') + readFileSync(broker.cert, 'utf8'), { mode: 0o600 });
  const client = { caCert: pki.caCert, caKey, usage: ['clientAuth' as const] };
  makeLeaf({ ...pki.client, ...client, subject: '/CN=flowline-client' });
  makeLeaf({ ...pki.expiredClient, ...client, subject: '/CN=flowline-expired-client', expired: true });
  const rogueCaKey = at('rogue-ca.key');
  makeCa(pki.rogueCaCert, rogueCaKey, 'flowline-kafka-rogue-ca');
  makeLeaf({ ...pki.rogueClient, caCert: pki.rogueCaCert, caKey: rogueCaKey, usage: ['clientAuth'], subject: '/CN=flowline-rogue-client' });
  writeFileSync(done, '');
  return pki;
}
