import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { FunctionManifest } from '../runtime/manifest.ts';
import { loadYamlConfig } from '../runtime/yaml-config.ts';
import type { LagTarget } from './lag.ts';

/**
 * The lag targets of a deployed release: the chart writes its function list, overrides
 * applied, into the lag exporter's ConfigMap, so the exporter computes with the
 * thresholds and bounds the cluster's ScaledObjects really have, not the manifests'.
 */
export const LagTargetsFile = z.object({
  functions: z.array(
    z.looseObject({
      name: z.string().min(1),
      consumerGroup: z.string().min(1),
      subscribes: z.array(z.string().min(1)).min(1),
      offsetResetPolicy: z.enum(['earliest', 'latest']),
      scaling: FunctionManifest.shape.scaling,
      /** The ScaledObject's minReplicaCount/maxReplicaCount as the chart rendered them. */
      bounds: z.object({ minReplicas: z.number().int().min(0), maxReplicas: z.number().int().min(1) }).optional(),
    }),
  ),
});

export async function readLagTargets(file: string): Promise<LagTarget[]> {
  const { functions } = loadYamlConfig(await readFile(file, 'utf8'), file, LagTargetsFile);
  return functions.map((fn) => ({
    function: fn.name,
    consumerGroup: fn.consumerGroup,
    topics: fn.subscribes,
    scaling: fn.scaling,
    lagThreshold: fn.scaling.lagThreshold,
    activationLagThreshold: fn.scaling.activationLagThreshold,
    offsetResetPolicy: fn.offsetResetPolicy,
    ...(fn.bounds ? { bounds: fn.bounds } : {}),
  }));
}
