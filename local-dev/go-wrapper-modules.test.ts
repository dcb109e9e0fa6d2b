import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './services/paths.ts';

const goMod = (name: string) => readFileSync(join(repoRoot, 'local-dev', name, 'go.mod'), 'utf8');
const tools = (text: string) => [...(/^tool \(\n([\s\S]*?)\n\)/m.exec(text)?.[1] ?? '').matchAll(/^\s+(\S+)$/gm)].map((m) => m[1]);

/** The wrapper modules the control plane and KEDA are built from (local-dev/services/*-binaries.ts, keda.ts). */
describe('local-dev/kubernetes/go.mod', () => {
  const text = goMod('kubernetes');
  const kubernetes = /^\s*k8s\.io\/kubernetes (v1\.(\d+)\.(\d+))/m.exec(text);

  it('replaces every staging module with the tag of the kubernetes it requires (v1.X.Y → v0.X.Y)', () => {
    expect(kubernetes).not.toBeNull();
    const [, , minor, patch] = kubernetes as RegExpExecArray;
    const replaces = [...text.matchAll(/^\s+(k8s\.io\/[a-z-]+) => (k8s\.io\/[a-z-]+) (v\S+)$/gm)];
    // kubernetes' own go.mod requires 31 of them at v0.0.0 and points them at ./staging.
    expect(replaces).toHaveLength(31);
    for (const [, from, to, version] of replaces)
      expect({ from, to, version }).toEqual({ from, to: from, version: `v0.${minor}.${patch}` });
  });

  it('lists as tools exactly the binaries the project builds from it', () => {
    expect(tools(text).sort()).toEqual(
      ['go.etcd.io/etcd/server/v3', 'k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes/cmd/kube-controller-manager'].sort(),
    );
  });
});

describe('local-dev/keda/go.mod', () => {
  const text = goMod('keda');

  it('lists the operator and the metrics adapter as tools, and repeats KEDA’s own replace', () => {
    expect(tools(text).sort()).toEqual(['github.com/kedacore/keda/v2/cmd/adapter', 'github.com/kedacore/keda/v2/cmd/operator']);
    expect(text).toMatch(/^replace github\.com\/nexus-rpc\/nexus-proto-annotations v0\.1\.0 => /m);
  });
});

describe('local-dev/daprd/go.mod', () => {
  it('lists as tools the control-plane binaries built from it beside daprd (the sidecar injector and Sentry)', () => {
    expect(tools(goMod('daprd')).sort()).toEqual(['github.com/dapr/dapr/cmd/injector', 'github.com/dapr/dapr/cmd/sentry']);
  });
});
