import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, ServiceError, which } from './process.ts';

/**
 * The certificates and keys a loopback control plane needs, made once per clone with the
 * openssl CLI (Node can make keys but not certificates). EC P-256 throughout: fast to
 * make, accepted by every component.
 */
export interface KubernetesPki {
  dir: string;
  caCert: string;
  caKey: string;
  /** kube-apiserver's serving certificate (127.0.0.1, localhost, kubernetes.default.svc). */
  apiserverCert: string;
  apiserverKey: string;
  /** A client in system:masters: the kubeconfig of helm, kube-controller-manager, KEDA and the tests. */
  adminCert: string;
  adminKey: string;
  /** Signs the service-account tokens (kube-apiserver) and is given to the token controller. */
  serviceAccountKey: string;
  serviceAccountPub: string;
  /** The aggregation layer's client identity towards extension API servers (KEDA's metrics adapter). */
  frontProxyCaCert: string;
  frontProxyClientCert: string;
  frontProxyClientKey: string;
}

export const openssl = (args: string[], what: string) => run('openssl', args, { what });
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const days = ['-days', '3650'];

export function makeCa(cert: string, key: string, commonName: string): void {
  openssl(
    [
      'req',
      '-x509',
      ...ecKey,
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      `/CN=${commonName}`,
      ...days,
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    `making the ${commonName} certificate authority`,
  );
}

export function makeLeaf(options: {
  cert: string;
  key: string;
  caCert: string;
  caKey: string;
  subject: string;
  usage: ('serverAuth' | 'clientAuth')[];
  altNames?: string[];
  /** Already expired (for tests of a refused certificate): `req -x509` takes no negative validity. */
  expired?: boolean;
}): void {
  if (options.expired) {
    makeExpiredLeaf(options);
    return;
  }
  openssl(
    [
      'req',
      '-x509',
      ...ecKey,
      '-keyout',
      options.key,
      '-out',
      options.cert,
      '-CA',
      options.caCert,
      '-CAkey',
      options.caKey,
      '-subj',
      options.subject,
      ...days,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      '-addext',
      `extendedKeyUsage=${options.usage.join(',')}`,
      ...(options.altNames ? ['-addext', `subjectAltName=${options.altNames.join(',')}`] : []),
    ],
    `making the certificate ${options.subject}`,
  );
}

/** A request, then `x509 -req -days -1`: valid until yesterday, so notAfter is already past. */
function makeExpiredLeaf(options: Parameters<typeof makeLeaf>[0]): void {
  const request = `${options.cert}.csr`;
  const extensions = `${options.cert}.ext`;
  openssl(['req', '-new', ...ecKey, '-keyout', options.key, '-out', request, '-subj', options.subject], `requesting ${options.subject}`);
  writeFileSync(
    extensions,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${options.usage.join(',')}`,
      ...(options.altNames ? [`subjectAltName=${options.altNames.join(',')}`] : []),
      '',
    ].join('\n'),
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      request,
      '-CA',
      options.caCert,
      '-CAkey',
      options.caKey,
      '-days',
      '-1',
      '-extfile',
      extensions,
      '-out',
      options.cert,
    ],
    `making the expired certificate ${options.subject}`,
  );
  rmSync(request);
  rmSync(extensions);
}

/** Makes what is missing under `dir` (idempotent: an existing PKI is reused). */
export function ensureKubernetesPki(dir: string): KubernetesPki {
  const at = (file: string) => join(dir, file);
  const pki: KubernetesPki = {
    dir,
    caCert: at('ca.crt'),
    caKey: at('ca.key'),
    apiserverCert: at('apiserver.crt'),
    apiserverKey: at('apiserver.key'),
    adminCert: at('admin.crt'),
    adminKey: at('admin.key'),
    serviceAccountKey: at('service-account.key'),
    serviceAccountPub: at('service-account.pub'),
    frontProxyCaCert: at('front-proxy-ca.crt'),
    frontProxyClientCert: at('front-proxy-client.crt'),
    frontProxyClientKey: at('front-proxy-client.key'),
  };
  // The last file written: its presence means the whole set was made.
  const done = at('complete');
  if (existsSync(done)) return pki;
  if (!which('openssl')) throw new ServiceError('the local control plane needs the openssl CLI for its certificates: install openssl');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  makeCa(pki.caCert, pki.caKey, 'flowline-local-ca');
  makeLeaf({
    cert: pki.apiserverCert,
    key: pki.apiserverKey,
    caCert: pki.caCert,
    caKey: pki.caKey,
    subject: '/CN=kube-apiserver',
    usage: ['serverAuth'],
    altNames: ['IP:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc'],
  });
  makeLeaf({
    cert: pki.adminCert,
    key: pki.adminKey,
    caCert: pki.caCert,
    caKey: pki.caKey,
    subject: '/O=system:masters/CN=flowline-admin',
    usage: ['clientAuth'],
  });
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', pki.serviceAccountKey], 'making the service-account key');
  openssl(['ec', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPub], 'deriving the service-account public key');
  const frontProxyCaKey = at('front-proxy-ca.key');
  makeCa(pki.frontProxyCaCert, frontProxyCaKey, 'flowline-front-proxy-ca');
  makeLeaf({
    cert: pki.frontProxyClientCert,
    key: pki.frontProxyClientKey,
    caCert: pki.frontProxyCaCert,
    caKey: frontProxyCaKey,
    subject: '/CN=front-proxy-client',
    usage: ['clientAuth'],
  });
  writeFileSync(done, '');
  return pki;
}
