import { z } from 'zod';

const topicName = z
  .string()
  .regex(/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/, 'a topic is lower-case words joined by "." or "-", as in scada.telemetry.raw');

const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi)?$/, 'a Kubernetes quantity such as 100m, 0.5, 128Mi or 1Gi');

/**
 * `function.yaml`: the one source of truth for a function. The runtime reads it to
 * subscribe, retry and dead-letter; the keda/ tooling derives the Dapr subscription,
 * the Deployment and the KEDA ScaledObject from it. Only `name` and `subscribes` are
 * required; every default below is what a new function gets.
 */
export const FunctionManifest = z
  .object({
    name: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{0,40}[a-z0-9]$/,
        'a DNS label: lower-case letters, digits and "-" (it becomes the Dapr app id and the Deployment name)',
      ),
    description: z.string().default(''),
    subscribes: z.array(topicName).min(1, 'a function subscribes to at least one topic'),
    publishes: z.array(topicName).default([]),
    /**
     * Where a new consumer group starts; existing groups always resume from their committed
     * offset. `earliest`: the edge is publishing before a new function first joins, and a
     * telemetry pipeline loses nothing of what Kafka still holds. `latest` is for functions
     * that must not act on the past (notify must not page about old alarms).
     */
    startFrom: z.enum(['earliest', 'latest']).default('earliest'),
    /** Events handed to the handler (batch mode) or committed together (each mode). */
    batch: z
      .object({
        maxSize: z.number().int().min(1).max(10_000).default(100),
        maxWaitMs: z.number().int().min(0).max(60_000).default(100),
      })
      .strict()
      .default({ maxSize: 100, maxWaitMs: 100 }),
    /** Events with different keys handled at once; events with the same key never are. */
    concurrency: z.number().int().min(1).max(1000).default(8),
    retry: z
      .object({
        maxAttempts: z.union([z.number().int().min(1).max(1000), z.literal('forever')]).default(5),
        initialDelayMs: z.number().int().min(1).default(200),
        maxDelayMs: z.number().int().min(1).default(30_000),
        multiplier: z.number().min(1).max(10).default(2),
      })
      .strict()
      .default({ maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 30_000, multiplier: 2 }),
    /** Dependencies opened at start and checked by /readyz. */
    needs: z.array(z.enum(['redis', 'postgres'])).default([]),
    scaling: z
      .object({
        minReplicas: z.number().int().min(0).default(1),
        maxReplicas: z.number().int().min(1).default(6),
        lagThreshold: z.number().int().min(1).default(100),
        activationLagThreshold: z.number().int().min(0).default(10),
        pollingIntervalSeconds: z.number().int().min(1).default(15),
        cooldownPeriodSeconds: z.number().int().min(0).default(120),
      })
      .strict()
      .default({
        minReplicas: 1,
        maxReplicas: 6,
        lagThreshold: 100,
        activationLagThreshold: 10,
        pollingIntervalSeconds: 15,
        cooldownPeriodSeconds: 120,
      })
      .refine((s) => s.maxReplicas >= s.minReplicas, 'maxReplicas must be at least minReplicas'),
    resources: z
      .object({
        cpu: quantity.default('100m'),
        memory: quantity.default('128Mi'),
        cpuLimit: quantity.optional(),
        memoryLimit: quantity.default('256Mi'),
      })
      .strict()
      .default({ cpu: '100m', memory: '128Mi', memoryLimit: '256Mi' }),
  })
  .strict();

export type FunctionManifest = z.infer<typeof FunctionManifest>;
export type FunctionManifestInput = z.input<typeof FunctionManifest>;

/** The consumer group, Dapr app id and Deployment name are all the function's name. */
export const consumerGroupOf = (manifest: Pick<FunctionManifest, 'name'>): string => manifest.name;
