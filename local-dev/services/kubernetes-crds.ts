import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { createOrReplace, type KubeApi } from '../../keda/kube-api.ts';
import { moduleSourceDir } from './go-build.ts';
import { repoRoot } from './paths.ts';
import { ServiceError, sleep } from './process.ts';

/** A CustomResourceDefinition as read from a YAML file (only what is touched here is typed). */
export interface Crd {
  apiVersion: string;
  kind: 'CustomResourceDefinition';
  metadata: { name: string; resourceVersion?: string; [key: string]: unknown };
  spec: Record<string, unknown>;
}

interface JsonPatchAdd {
  op: 'add';
  path: string;
  value: unknown;
}

/** The RFC 6902 `add` operations KEDA's kustomization applies to its CRDs (the only op it uses). */
function applyAdd(doc: unknown, patch: JsonPatchAdd): void {
  const keys = patch.path
    .split('/')
    .slice(1)
    .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = keys.pop();
  let at = doc as Record<string, unknown>;
  for (const key of keys) {
    const next = Array.isArray(at) ? at[Number(key)] : at[key];
    if (typeof next !== 'object' || next === null) throw new ServiceError(`KEDA's CRD patch ${patch.path}: ${key} is not there`);
    at = next as Record<string, unknown>;
  }
  if (last === undefined) throw new ServiceError(`KEDA's CRD patch has an empty path`);
  if (Array.isArray(at)) {
    if (last === '-') at.push(patch.value);
    else at.splice(Number(last), 0, patch.value);
  } else at[last] = patch.value;
}

export const readCrds = (file: string): Crd[] =>
  loadAll(readFileSync(file, 'utf8')).filter((d): d is Crd => (d as Crd | null)?.kind === 'CustomResourceDefinition');

/**
 * KEDA's CRDs from the module local-dev/keda pins (config/crd/bases), with the patches
 * its release manifests apply (config/crd/kustomization.yaml), so they equal the
 * released keda-<version>-crds.yaml.
 */
export function kedaCrds(): Crd[] {
  const dir = join(moduleSourceDir(join(repoRoot, 'local-dev', 'keda'), 'github.com/kedacore/keda/v2'), 'config', 'crd');
  const kustomization = load(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
    resources: string[];
    patches?: { path: string; target: { name: string } }[];
  };
  const crds = kustomization.resources.flatMap((file) => readCrds(join(dir, file)));
  for (const { path, target } of kustomization.patches ?? []) {
    const crd = crds.find((c) => c.metadata.name === target.name);
    if (!crd) throw new ServiceError(`KEDA's kustomization patches ${target.name}, which its resources do not define`);
    for (const patch of load(readFileSync(join(dir, path), 'utf8')) as JsonPatchAdd[]) applyAdd(crd, patch);
  }
  return crds;
}

/** Dapr's CRDs from the dapr module local-dev/daprd pins (its Helm chart's crds/). */
export function daprCrds(): Crd[] {
  const dir = join(moduleSourceDir(join(repoRoot, 'local-dev', 'daprd'), 'github.com/dapr/dapr'), 'charts', 'dapr', 'crds');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => readCrds(join(dir, f)));
}

const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/** Creates (or replaces) each CRD and waits until the API server serves it. */
export async function applyCrds(api: KubeApi, crds: readonly Crd[]): Promise<void> {
  for (const crd of crds) {
    await createOrReplace(api, crdPath, crd).catch((error: Error) => {
      throw new ServiceError(error.message);
    });
  }
  const deadline = Date.now() + 30_000;
  for (const crd of crds) {
    for (;;) {
      const { status } = await api.get<{ status?: { conditions?: { type: string; status: string }[] } }>(`${crdPath}/${crd.metadata.name}`);
      if (status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new ServiceError(`the CRD ${crd.metadata.name} was not Established within 30 s`);
      await sleep(200);
    }
  }
}

/** Deletes each CRD (and so every object of its kind) and waits until the API server no longer serves it. */
export async function deleteCrds(api: KubeApi, crds: readonly Crd[]): Promise<void> {
  for (const crd of crds) await api.request('DELETE', `${crdPath}/${crd.metadata.name}`);
  const deadline = Date.now() + 60_000;
  for (const crd of crds) {
    while ((await api.request('GET', `${crdPath}/${crd.metadata.name}`)).status !== 404) {
      if (Date.now() > deadline) throw new ServiceError(`the CRD ${crd.metadata.name} was still there 60 s after its deletion`);
      await sleep(200);
    }
  }
}
