import { loadAll } from 'js-yaml';
import type { KubeApi } from '../../keda/kube-api.ts';
import { helm, type KubeObject } from './helm.ts';

interface ApiResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

/**
 * The REST path of an object, found through the API server's own discovery (so CRDs
 * resolve as they are registered, not as a table of ours guesses their plurals).
 */
export function resourcePaths(api: KubeApi) {
  const lists = new Map<string, Promise<ApiResourceList>>();
  return async (object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, namespace: string): Promise<string> => {
    const base = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
    let list = lists.get(base);
    if (!list) {
      list = api.get<ApiResourceList>(base);
      lists.set(base, list);
    }
    const resource = (await list).resources.find((r) => r.kind === object.kind && !r.name.includes('/'));
    if (!resource) throw new Error(`the API server serves no ${object.kind} in ${object.apiVersion}`);
    const ns = resource.namespaced ? `/namespaces/${object.metadata.namespace ?? namespace}` : '';
    return `${base}${ns}/${resource.name}/${object.metadata.name}`;
  };
}

/** helm against the cluster of a kubeconfig; throws with helm's message when it fails. */
export function helmOn(kubeconfig: string, args: string[]): string {
  const result = helm([...args, '--kubeconfig', kubeconfig]);
  if (result.status !== 0) throw new Error(`helm ${args.slice(0, 2).join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

/** The objects of a release as helm recorded them (`helm get manifest`). */
export function releaseObjects(kubeconfig: string, release: string, namespace: string): KubeObject[] {
  return loadAll(helmOn(kubeconfig, ['get', 'manifest', release, '--namespace', namespace])).filter(
    (doc): doc is KubeObject => typeof doc === 'object' && doc !== null,
  );
}
