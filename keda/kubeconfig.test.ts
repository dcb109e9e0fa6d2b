import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quantityValue } from './cluster-scaling.ts';
import { readKubeconfig } from './kubeconfig.ts';

describe('readKubeconfig', () => {
  let dir: string;
  const write = (user: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const file = join(dir, 'config');
    writeFileSync(
      file,
      dump({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'ops',
        clusters: [{ name: 'plant', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority': 'ca.crt' } }],
        users: [{ name: 'sre', user }],
        contexts: [{ name: 'ops', context: { cluster: 'plant', user: 'sre', namespace: 'flowline' } }],
        ...extra,
      }),
    );
    return file;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowline-kubeconfig-'));
    writeFileSync(join(dir, 'ca.crt'), 'CA PEM');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the current context: its server, CA (a file beside the kubeconfig), inline certificate and namespace', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect(readKubeconfig(write({ 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }))).toEqual({
      server: 'https://10.0.0.1:6443',
      ca: 'CA PEM',
      cert: 'CERT',
      key: 'KEY',
      token: undefined,
      namespace: 'flowline',
    });
  });

  it('takes a token, inline or from its file', () => {
    expect(readKubeconfig(write({ token: 'abc' })).token).toBe('abc');
    writeFileSync(join(dir, 'token'), 'from-file\n');
    expect(readKubeconfig(write({ tokenFile: 'token' })).token).toBe('from-file');
  });

  it('refuses a plugin user by name, and a context that is not there', () => {
    expect(() => readKubeconfig(write({ exec: { command: 'aws' } }))).toThrow(/user sre authenticates through a plugin/);
    expect(() => readKubeconfig(write({ token: 'x' }, { 'current-context': 'gone' }))).toThrow(
      /current-context "gone" is not among its contexts/,
    );
  });
});

describe('quantityValue', () => {
  it('reads the forms the API serialises a metric in', () => {
    expect([quantityValue('1500'), quantityValue('3k'), quantityValue('1500m'), quantityValue('2.5k')]).toEqual([1500, 3000, 1.5, 2500]);
    expect(() => quantityValue('12Ki')).toThrow(/not a quantity/);
  });
});
