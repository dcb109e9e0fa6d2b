import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPCUACertificateManager } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Quality } from '../../contracts/quality.ts';
import { type EdgeAdapter, startEdgeAdapter } from '../../edge-adapter/edge-adapter.ts';
import { OpcUaSimulator } from '../../edge-adapter/simulators/opcua-simulator.ts';
import { WellPad } from '../../edge-adapter/simulators/well-pad.ts';
import { callbackSink } from '../../edge-adapter/sinks/callback-sink.ts';
import { collectingSink, edgeConfig, projectTempDir, testLog } from '../support/edge-harness.ts';
import { until } from '../support/kafka.ts';

/**
 * A secured session as in the field: SignAndEncrypt with Basic256Sha256, no anonymous
 * access, and trust set up both ways with certificates generated into a project temp
 * folder. The server does not know the adapter until an administrator trusts its
 * certificate; the adapter trusts only the server certificate it was given.
 */
const dir = projectTempDir('edge-opcua-security');
const pad = new WellPad({ seed: 11 });
const simulator = new OpcUaSimulator({
  pad,
  port: 0,
  pkiDir: join(dir, 'server-pki'),
  securityModes: ['SignAndEncrypt'],
  allowAnonymous: false,
  users: { operator: 's3cret' },
  acceptUnknownClients: false,
});
const adapters: EdgeAdapter[] = [];

/**
 * Trusts the adapter's certificate until `reached` holds. Trusting once is what an
 * operator does, minutes later; here the adapter retries every few hundred ms, and a
 * rejection still being processed by node-opcua's PKI can mark the certificate rejected
 * again just after it was trusted. Trusting again is harmless.
 */
async function trustUntil(pkiDir: string, what: string, reached: () => boolean): Promise<void> {
  const certificate = await clientCertificateOf(pkiDir);
  const deadline = Date.now() + 90_000;
  for (;;) {
    await simulator.trustClient(certificate);
    try {
      await until(async () => reached() || undefined, what, 5_000);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

/** The adapter's application certificate, once node-opcua has finished writing it (the file appears before its content). */
function clientCertificateOf(pkiDir: string): Promise<Buffer> {
  const file = join(pkiDir, 'own', 'certs', 'client_certificate.pem');
  return until(
    async () => {
      try {
        const pem = readFileSync(file);
        new X509Certificate(pem);
        return pem;
      } catch {
        return undefined;
      }
    },
    'the adapter certificate',
    60_000,
  );
}

beforeAll(async () => {
  await simulator.start();
});
afterAll(async () => {
  for (const a of adapters) await a.stop();
  await simulator.stop();
});

function secureDevice(id: string, identity: Record<string, unknown>) {
  return {
    id,
    protocol: 'opcua',
    endpoint: simulator.endpoint,
    securityMode: 'SignAndEncrypt',
    securityPolicy: 'Basic256Sha256',
    identity,
    publishingIntervalMs: 200,
    samplingIntervalMs: 100,
    reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
    tags: [{ id: 'ramp', nodeId: 'ns=1;s=Lab.Ramp' }],
  };
}

function start(site: string, devices: Record<string, unknown>[], env: Record<string, string> = {}) {
  const siteDir = join(dir, site);
  const config = edgeConfig({ site, buffer: { path: ':memory:' }, publish: { lingerMs: 0 }, devices }, siteDir, env);
  // The operator's step: put the server's certificate in the adapter's trust list.
  mkdirSync(join(config.pkiDir, 'trusted', 'certs'), { recursive: true });
  copyFileSync(simulator.certificateFile, join(config.pkiDir, 'trusted', 'certs', 'well-pad-simulator.pem'));
  const sink = collectingSink();
  const adapter = startEdgeAdapter({ config, sink: callbackSink(sink.publish), log: testLog, processMetrics: false });
  adapters.push(adapter);
  return { adapter, sink, config };
}

describe('a secured OPC UA session', () => {
  it('connects with SignAndEncrypt and Basic256Sha256 once the server trusts the adapter, as a named user', async () => {
    const { adapter, sink, config } = start(
      'secure',
      [secureDevice('rig', { type: 'username', username: 'operator', passwordEnv: 'RIG_PASSWORD' })],
      {
        RIG_PASSWORD: 's3cret',
      },
    );
    // The adapter creates its application certificate on first use; the server rejects it as unknown.
    const clientCertificate = await clientCertificateOf(config.pkiDir);
    await until(async () => adapter.health().devices.rig?.lastError !== undefined, 'a rejected first attempt', 60_000);
    expect(adapter.health().devices.rig?.state).not.toBe('connected');

    expect(clientCertificate.length).toBeGreaterThan(0);
    await trustUntil(config.pkiDir, 'the secured session', () => adapter.health().devices.rig?.state === 'connected');
    await sink.waitFor('good samples over the encrypted channel', (all) => all.filter((s) => s.quality === Quality.GOOD).length >= 3);
  });

  it('connects with an X.509 user certificate as identity', async () => {
    const users = new OPCUACertificateManager({ rootFolder: join(dir, 'user-pki'), automaticallyAcceptUnknownCertificate: false });
    await users.initialize();
    const certificateFile = join(dir, 'user-pki', 'own', 'certs', 'operator.pem');
    await users.createSelfSignedCertificate({
      subject: '/CN=operator/O=Flowline',
      applicationUri: 'urn:flowline:users:operator',
      dns: [],
      startDate: new Date(Date.now() - 60_000),
      validity: 30,
      outputFile: certificateFile,
    });
    await simulator.trustUser(readFileSync(certificateFile));
    // Same application certificate folder layout, fresh site: the server must trust this adapter too.
    const { adapter, sink, config } = start('x509', [
      secureDevice('rig', { type: 'certificate', certificateFile, privateKeyFile: users.privateKey }),
    ]);
    await trustUntil(config.pkiDir, 'the session with a certificate identity', () => adapter.health().devices.rig?.state === 'connected');
    await sink.waitFor('good samples', (all) => all.some((s) => s.quality === Quality.GOOD));
    await users.dispose();
  });

  it('stays disconnected, saying why, with a wrong password', async () => {
    const { adapter, config } = start('wrong-password', [
      secureDevice('rig', { type: 'username', username: 'operator', password: 'guess' }),
    ]);
    await trustUntil(config.pkiDir, 'an identity error', () =>
      /BadUserAccessDenied|BadIdentityToken|access denied/i.test(adapter.health().devices.rig?.lastError ?? ''),
    );
    expect(adapter.health().devices.rig?.state).toBe('disconnected');
  });
});
