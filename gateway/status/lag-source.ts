import type { FunctionManifest } from '../../runtime/manifest.ts';

/** What the status board knows of one function's consumer group. */
export interface LagReading {
  function: string;
  /** Messages not yet committed by the group, all subscribed topics; undefined when unreadable. */
  lag: number | undefined;
  topics: { topic: string; lag: number | undefined }[];
  replicas: {
    /** Instances running it, when the gateway can know (in-process: 1). */
    current?: number | undefined;
    /** What KEDA would scale to for this lag. */
    desired?: number | undefined;
    min: number;
    max: number;
  };
  /** Dead letters retained on the function's `<topic>.dlq` topics. */
  deadLetters: number | undefined;
  error?: string | undefined;
}

/** Consumer lag per function: the memory bus's on the embedded default, Kafka's (keda/lag.ts) otherwise. */
export interface LagSource {
  read(): Promise<LagReading[]>;
}

export const boundsOf = (manifest: FunctionManifest) => ({ min: manifest.scaling.minReplicas, max: manifest.scaling.maxReplicas });
