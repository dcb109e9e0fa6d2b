import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Ajv, type ValidateFunction } from 'ajv';
import { loadAll } from 'js-yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, PersistentVolumeClaim, Pod, Service, ServiceAccount } from 'kubernetes-models/v1';
import { daprVersion } from '../../local-dev/services/daprd.ts';
import { run } from '../../local-dev/services/process.ts';
import type { KubeObject } from './helm.ts';

/** The KEDA release whose CRDs the rendered ScaledObjects are checked against (the chart needs 2.17+). */
export const kedaVersion = '2.18.3';

interface Model {
  validate(): void;
}
type ModelClass = new (data: never) => Model;

/** Kubernetes' own kinds, and KEDA's and the Prometheus Operator's, as kubernetes-models validates them. */
const models: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Pod': Pod,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/** A Go module's source tree, downloaded through the module proxy (cached by Go). */
function goModuleDir(module: string, version: string): string {
  const info = JSON.parse(
    run('go', ['mod', 'download', '-json', `${module}@${version}`], { what: `downloading ${module}@${version}` }),
  ) as {
    Dir?: string;
    Error?: string;
  };
  if (!info.Dir) throw new Error(`go mod download ${module}@${version}: ${info.Error ?? 'no Dir in its answer'}`);
  return info.Dir;
}

/** The CRD YAMLs the projects ship: Dapr's Helm chart CRDs and KEDA's kubebuilder bases. */
export function crdFiles(): string[] {
  const dapr = join(goModuleDir('github.com/dapr/dapr', `v${daprVersion}`), 'charts', 'dapr', 'crds');
  const keda = join(goModuleDir('github.com/kedacore/keda/v2', `v${kedaVersion}`), 'config', 'crd', 'bases');
  return [
    ...readdirSync(dapr).map((f) => join(dapr, f)),
    join(keda, 'keda.sh_scaledobjects.yaml'),
    join(keda, 'keda.sh_triggerauthentications.yaml'),
  ];
}

interface Crd {
  kind: 'CustomResourceDefinition';
  spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema: object } }[] };
}

/**
 * An API server prunes fields a structural CRD schema does not declare, and
 * `kubectl apply` (strict field validation) rejects them: a misspelt key would be lost
 * silently. Declaring additionalProperties: false wherever a schema lists its
 * properties (and does not preserve unknown fields) makes the JSON-Schema check as strict.
 */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) out[key] = strict(value);
  if ('properties' in out && !('additionalProperties' in out) && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

function crdValidators(files: string[]): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  for (const file of files) {
    for (const doc of loadAll(readFileSync(file, 'utf8')) as Crd[]) {
      if (doc?.kind !== 'CustomResourceDefinition') continue;
      for (const version of doc.spec.versions) {
        if (!version.served || !version.schema) continue;
        validators.set(
          `${doc.spec.group}/${version.name}/${doc.spec.names.kind}`,
          ajv.compile(strict(version.schema.openAPIV3Schema) as object),
        );
      }
    }
  }
  return validators;
}

export type ManifestCheck = (object: KubeObject) => string[];

/**
 * Checks rendered objects against the schemas of the cluster they are for: Kubernetes
 * kinds with kubernetes-models, Dapr and KEDA custom resources with the projects' own
 * CRD schemas (KEDA's also with kubernetes-models). An object of a kind with no schema
 * is a problem too, so nothing leaves the chart unchecked.
 */
export function createManifestCheck(): ManifestCheck {
  const crds = crdValidators(crdFiles());
  return (object) => {
    const key = `${object.apiVersion}/${object.kind}`;
    const where = `${object.kind}/${object.metadata?.name}`;
    const problems: string[] = [];
    const Model = models[key];
    const crd = crds.get(key);
    if (!Model && !crd) return [`${where}: no schema for ${key}`];
    if (Model) {
      try {
        new Model(object as never).validate();
      } catch (error) {
        problems.push(`${where}: ${(error as Error).message}`);
      }
    }
    if (crd && !crd(object)) {
      for (const e of crd.errors ?? [])
        problems.push(
          `${where}: ${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`,
        );
    }
    return problems;
  };
}
