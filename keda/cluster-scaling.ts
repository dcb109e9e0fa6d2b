import type { KubeApi } from './kube-api.ts';
import type { FunctionLag, LagTarget } from './lag.ts';

/** What the cluster's KEDA and HPA make of one function's lag, read through the API server. */
export interface ClusterScaling {
  /** The scale target's spec.replicas. */
  replicas: number | undefined;
  /** KEDA's external metric per subscribed topic (what the HPA divides by the threshold). */
  metrics: Record<string, number | undefined>;
  /** Why the cluster could not be read (no ScaledObject, no HPA yet, no external metrics API). */
  error?: string;
}

interface ScaledObject {
  spec: { scaleTargetRef: { name: string } };
  status?: { hpaName?: string };
}
interface Hpa {
  spec: { metrics?: { type: string; external?: { metric: { name: string; selector?: { matchLabels?: Record<string, string> } } } }[] };
}

/** A resource.Quantity as the API serialises one ("1500", "3k", "1500m"). */
export function quantityValue(q: string): number {
  const match = /^([0-9.]+)(m|k|M|G|T)?$/.exec(q);
  if (!match) throw new Error(`not a quantity flowline lag reads: ${q}`);
  return Number(match[1]) * ({ m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[match[2] as 'm'] ?? 1);
}

/**
 * Reads the function's ScaledObject (named after it, as the chart names it), the HPA
 * KEDA made for it, each of its external metrics, and the target's replicas. KEDA names
 * trigger i's metric `s<i>-kafka-<topic>`; the chart writes one trigger per subscribed
 * topic, in order.
 */
export async function readClusterScaling(api: KubeApi, namespace: string, target: LagTarget): Promise<ClusterScaling> {
  const metrics: Record<string, number | undefined> = Object.fromEntries(target.topics.map((t) => [t, undefined]));
  try {
    const so = await api.get<ScaledObject>(`/apis/keda.sh/v1alpha1/namespaces/${namespace}/scaledobjects/${target.function}`);
    const deployment = await api.get<{ spec: { replicas?: number } }>(
      `/apis/apps/v1/namespaces/${namespace}/deployments/${so.spec.scaleTargetRef.name}`,
    );
    const hpaName = so.status?.hpaName ?? `keda-hpa-${target.function}`;
    const hpa = await api.get<Hpa>(`/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers/${hpaName}`);
    for (const { external } of (hpa.spec.metrics ?? []).filter((m) => m.type === 'External')) {
      if (!external) continue;
      const topic = target.topics[Number(/^s(\d+)-/.exec(external.metric.name)?.[1])];
      if (topic === undefined) continue;
      const selector = Object.entries(external.metric.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const list = await api.get<{ items: { value: string }[] }>(
        `/apis/external.metrics.k8s.io/v1beta1/namespaces/${namespace}/${external.metric.name}?labelSelector=${encodeURIComponent(selector)}`,
      );
      metrics[topic] = list.items.reduce((sum, i) => sum + quantityValue(i.value), 0);
    }
    return { replicas: deployment.spec.replicas, metrics };
  } catch (error) {
    return { replicas: undefined, metrics, error: (error as Error).message };
  }
}

/** Where the cluster and the prediction part ways, in words; empty when they agree. */
export function disagreementsOf(lag: FunctionLag, cluster: ClusterScaling): string[] {
  if (cluster.error) return [`the cluster could not be read: ${cluster.error}`];
  const out: string[] = [];
  for (const topic of lag.topics) {
    const reported = cluster.metrics[topic.topic];
    if (reported !== topic.trigger?.metric)
      out.push(`${topic.topic}: KEDA reports ${reported ?? 'nothing'}, flowline lag ${topic.trigger?.metric ?? 'nothing'}`);
  }
  if (lag.decision && cluster.replicas !== lag.decision.replicas) {
    out.push(`the Deployment has ${cluster.replicas ?? 'no'} replicas, flowline lag predicts ${lag.decision.replicas}`);
  }
  return out;
}
