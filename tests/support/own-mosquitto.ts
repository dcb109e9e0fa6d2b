import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCa, makeLeaf } from '../../local-dev/services/kubernetes-pki.ts';
import { mosquittoBaseConfig, mosquittoBin } from '../../local-dev/services/mosquitto.ts';
import { portOpen, run } from '../../local-dev/services/process.ts';
import { until } from './kafka.ts';

/**
 * A Mosquitto of one test's own (its own ports and configuration: TLS, passwords, client
 * certificates), which the test may kill and bring back; the shared broker of the
 * integration tests is never stopped by a test.
 */
export class OwnMosquitto {
  private server: ChildProcess | undefined;
  private readonly config: string;
  readonly ports: number[];

  /** `listeners`: the configuration after the base lines, one block per listener; `ports` are the ones to wait for. */
  constructor(dir: string, listeners: string[], ports: number[]) {
    this.config = join(dir, 'mosquitto.conf');
    this.ports = ports;
    writeFileSync(this.config, [...mosquittoBaseConfig(), 'per_listener_settings true', ...listeners, ''].join('\n'));
  }

  async start(): Promise<void> {
    this.server = spawn(mosquittoBin(), ['-c', this.config], { stdio: 'ignore' });
    for (const port of this.ports) await until(async () => portOpen(port), `Mosquitto on port ${port}`, 20_000);
  }

  /** SIGKILL: gone at once, as a broker whose box lost power. */
  async kill(): Promise<void> {
    const s = this.server;
    if (!s || s.exitCode !== null || s.signalCode !== null) return;
    const gone = new Promise((resolve) => s.once('exit', resolve));
    s.kill('SIGKILL');
    await gone;
  }
}

export interface BrokerPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate (CN edge-pad-7), made with the openssl CLI. */
export function makeBrokerPki(dir: string): BrokerPki {
  const at = (file: string) => join(dir, file);
  const pki = {
    caCert: at('ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
  };
  makeCa(pki.caCert, at('ca.key'), 'flowline test broker CA');
  makeLeaf({
    cert: pki.serverCert,
    key: pki.serverKey,
    caCert: pki.caCert,
    caKey: at('ca.key'),
    subject: '/CN=127.0.0.1',
    usage: ['serverAuth'],
    altNames: ['IP:127.0.0.1', 'DNS:localhost'],
  });
  makeLeaf({
    cert: pki.clientCert,
    key: pki.clientKey,
    caCert: pki.caCert,
    caKey: at('ca.key'),
    subject: '/CN=edge-pad-7',
    usage: ['clientAuth'],
  });
  return pki;
}

/** A Mosquitto password file with one user, written by mosquitto_passwd. */
export function makePasswordFile(file: string, username: string, password: string): void {
  writeFileSync(file, '');
  run('mosquitto_passwd', ['-b', file, username, password], { what: 'mosquitto_passwd' });
}
