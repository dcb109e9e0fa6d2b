import { spawnSync } from 'node:child_process';
import { loadAll } from 'js-yaml';
import { installHelm } from '../../local-dev/services/helm.ts';

/** One object of a rendered chart. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The real helm (built once from the Go module proxy), run to completion. */
export function helm(args: string[], options: { cwd?: string } = {}): HelmResult {
  const result = spawnSync(installHelm(), args, { cwd: options.cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `helm template` of a chart with values files; throws with helm's message when rendering fails. */
export function renderChart(
  chartDir: string,
  valuesFiles: string[],
  options: { release?: string; namespace?: string; set?: string[] } = {},
): KubeObject[] {
  const result = helm([
    'template',
    options.release ?? 'flowline',
    chartDir,
    '--namespace',
    options.namespace ?? 'flowline',
    ...valuesFiles.flatMap((file) => ['--values', file]),
    ...(options.set ?? []).flatMap((s) => ['--set', s]),
  ]);
  if (result.status !== 0) throw new Error(`helm template failed (${result.status}):\n${result.stderr}`);
  return loadAll(result.stdout).filter((doc): doc is KubeObject => typeof doc === 'object' && doc !== null);
}

/** The helm test hooks are rendered with the rest by `helm template`; this finds one object. */
export function findObject(objects: readonly KubeObject[], kind: string, name: string): KubeObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}
