import { join } from 'node:path';
import { type Crd, readCrds } from './kubernetes-crds.ts';
import { run, ServiceError, which } from './process.ts';

/** The Prometheus Operator release whose CRDs the chart's ServiceMonitor and PrometheusRule are checked against. */
export const prometheusOperatorVersion = 'v0.85.0';

/**
 * The ServiceMonitor and PrometheusRule CRDs, as the operator's module ships them
 * (example/prometheus-operator-crd/, the files its bundle.yaml is made of), read from
 * the Go module cache (downloaded once through the module proxy).
 */
export function prometheusOperatorCrds(): Crd[] {
  const module = 'github.com/prometheus-operator/prometheus-operator';
  if (!which('go')) throw new ServiceError(`reading ${module}'s CRDs needs Go 1.26+: install it from go.dev or your package manager`);
  const out = run('go', ['mod', 'download', '-json', `${module}@${prometheusOperatorVersion}`], { what: `downloading ${module}` });
  const { Dir: dir, Error: error } = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!dir)
    throw new ServiceError(`go mod download ${module}@${prometheusOperatorVersion} gave no source folder${error ? `: ${error}` : ''}`);
  const crds = join(dir, 'example', 'prometheus-operator-crd');
  return ['servicemonitors', 'prometheusrules'].flatMap((kind) => readCrds(join(crds, `monitoring.coreos.com_${kind}.yaml`)));
}
