/**
 * The arithmetic KEDA's Kafka scaler and the HPA do with consumer lag, restated so an
 * SRE can see what the autoscaler will do before it does it. Read from the sources,
 * not guessed:
 *
 * KEDA, pkg/scalers/kafka_scaler.go (trigger type `kafka`, v2.21, the one
 * tests/integration/kubernetes-keda.test.ts runs):
 *   1. Lag of one partition (getLagForPartition), with `latest` the high watermark:
 *        committed offset exists          lag = latest − committed (not clamped at 0)
 *        none, offsetResetPolicy latest   lag = 1   (0 if scaleToZeroOnInvalidOffset)
 *        none, offsetResetPolicy earliest lag = max(0, latest − earliest), the messages
 *                                         the partition still retains (KEDA reads the log
 *                                         start for such partitions; v2.18–2.20 counted
 *                                         the whole high watermark); latest when the log
 *                                         start could not be read; 0 if
 *                                         scaleToZeroOnInvalidOffset
 *   2. totalLag = Σ partition lags of the topic (getTotalLag).
 *   3. Cap (allowIdleConsumers=false, the default): if ⌊totalLag / lagThreshold⌋ >
 *      partitions, totalLag = partitions × lagThreshold. The division is Go integer
 *      division, so 650 messages on 6 partitions at threshold 100 pass uncapped
 *      (650/100 = 6, not > 6) and ask for 7 replicas: the reason the chart also clamps
 *      maxReplicaCount to the partition count.
 *   4. The metric KEDA reports is the capped totalLag; the trigger is active when the
 *      uncapped sum > activationLagThreshold (GetMetricsAndActivity).
 *
 * HPA, metric type AverageValue with target lagThreshold (KEDA's default for Kafka),
 * kubernetes pkg/controller/podautoscaler/replica_calculator.go
 * (GetExternalPerPodMetricReplicas):
 *   5. proposal = ⌈metric / lagThreshold⌉, except that with R current replicas the HPA
 *      keeps R while |1 − metric / (lagThreshold × R)| ≤ 0.1 (its default tolerance).
 *   6. Several triggers (one per subscribed topic): the HPA takes the largest proposal.
 *   7. Bounded by [max(1, minReplicaCount), maxReplicaCount] (KEDA gives the HPA a
 *      minimum of at least 1).
 *
 * KEDA, pkg/scaling/executor/scale_scaledobjects.go:
 *   8. No trigger active and minReplicaCount = 0: scale to 0, once cooldownPeriod has
 *      passed since the last active poll. Active at 0 replicas: scale to
 *      max(1, minReplicaCount) and let the HPA take over.
 *
 * Not modelled: the HPA's rate limits (by default at most double, or +4 pods, per 15 s
 * up; a 300 s stabilization window down), which delay reaching the target but do not
 * change it.
 */

export type OffsetResetPolicy = 'earliest' | 'latest';

/** A committed offset of -1 (kafkajs and Kafka's "no offset") is represented as undefined. */
export interface PartitionOffsets {
  partition: number;
  /** The high watermark: the offset the next produced message gets. */
  latestOffset: number;
  /** The log start offset (the first message retention kept), when it was read. */
  earliestOffset?: number | undefined;
  committedOffset: number | undefined;
}

export interface KafkaTriggerSettings {
  lagThreshold: number;
  activationLagThreshold: number;
  offsetResetPolicy: OffsetResetPolicy;
  scaleToZeroOnInvalidOffset?: boolean;
  allowIdleConsumers?: boolean;
}

/** Step 1: the lag KEDA counts for one partition. */
export function partitionLagOf(p: PartitionOffsets, settings: KafkaTriggerSettings): number {
  if (p.committedOffset === undefined) {
    if (settings.scaleToZeroOnInvalidOffset) return 0;
    if (settings.offsetResetPolicy === 'latest') return 1;
    return p.earliestOffset === undefined ? p.latestOffset : Math.max(0, p.latestOffset - p.earliestOffset);
  }
  return p.latestOffset - p.committedOffset;
}

export interface TriggerMetric {
  /** Σ partition lags, uncapped: what activation compares. */
  totalLag: number;
  /** What KEDA reports to the HPA, after the partition cap. */
  metric: number;
  partitions: number;
  active: boolean;
}

/** Steps 2–4: one Kafka trigger (one topic) from its partitions' offsets. */
export function kafkaTriggerMetricOf(partitions: readonly PartitionOffsets[], settings: KafkaTriggerSettings): TriggerMetric {
  const totalLag = partitions.reduce((sum, p) => sum + partitionLagOf(p, settings), 0);
  let metric = totalLag;
  if (!settings.allowIdleConsumers && Math.trunc(totalLag / settings.lagThreshold) > partitions.length) {
    metric = partitions.length * settings.lagThreshold;
  }
  return { totalLag, metric, partitions: partitions.length, active: totalLag > settings.activationLagThreshold };
}

export interface ReplicaBoundsInput {
  minReplicas: number;
  maxReplicas: number;
}

export interface ReplicaDecision {
  replicas: number;
  /** The HPA's unbounded proposal (step 5–6), before min/max. */
  proposal: number;
  active: boolean;
  why: string;
}

/** The HPA's default --horizontal-pod-autoscaler-tolerance. */
export const hpaTolerance = 0.1;

/** Step 5: one trigger's HPA proposal. */
export function hpaProposalOf(metric: number, lagThreshold: number, currentReplicas?: number): number {
  if (currentReplicas !== undefined && currentReplicas > 0) {
    const ratio = metric / (lagThreshold * currentReplicas);
    if (Math.abs(1 - ratio) <= hpaTolerance) return currentReplicas;
  }
  return Math.ceil(metric / lagThreshold);
}

/** Steps 5–8: the replica count KEDA and the HPA settle on for a function's triggers. */
export function desiredReplicasOf(
  triggers: readonly (TriggerMetric & { lagThreshold: number })[],
  bounds: ReplicaBoundsInput,
  currentReplicas?: number,
): ReplicaDecision {
  const active = triggers.some((t) => t.active);
  const proposal = Math.max(0, ...triggers.map((t) => hpaProposalOf(t.metric, t.lagThreshold, currentReplicas)));
  if (!active && bounds.minReplicas === 0) {
    return { replicas: 0, proposal, active, why: 'idle: no topic above its activation threshold; KEDA scales to 0 after cooldownPeriod' };
  }
  const floor = Math.max(1, bounds.minReplicas);
  const replicas = Math.min(bounds.maxReplicas, Math.max(floor, proposal));
  const why =
    replicas === bounds.maxReplicas && proposal > bounds.maxReplicas
      ? `capped at maxReplicas ${bounds.maxReplicas}`
      : replicas === floor && proposal < floor
        ? `held at the minimum ${floor}`
        : `⌈lag / lagThreshold⌉ = ${proposal}`;
  return { replicas, proposal, active, why };
}
