import { z } from 'zod';
import { Identifier } from '../../contracts/telemetry.ts';
import { engineeringFields } from './engineering-fields.ts';
import { SparkplugId } from './mqtt-connection.ts';
import { reportRepeatedTagIds, reportRepeats } from './repeated-values.ts';

export const SparkplugTag = z
  .object({
    id: Identifier,
    /** The metric's name as the node's birth certificate gives it, e.g. Separator/Pressure. */
    metric: z.string().min(1).max(512),
    ...engineeringFields,
  })
  .strict()
  .refine((t) => !(t.writable && (t.metric === 'bdSeq' || t.metric.startsWith('Node Control/'))), {
    message: 'bdSeq and Node Control metrics belong to the Sparkplug session and are never written by commands',
    path: ['writable'],
  });
export type SparkplugTag = z.infer<typeof SparkplugTag>;

/**
 * One Sparkplug B device (or, without `deviceId`, an edge node's own metrics) read
 * through a connection that is a Sparkplug host. Its metrics are defined by the node's
 * NBIRTH/DBIRTH; tags pick the ones Flowline publishes, and writable tags become
 * DCMD (NCMD for node metrics) under the command guard rails.
 */
export const SparkplugDevice = z
  .object({
    id: Identifier,
    protocol: z.literal('sparkplug'),
    connection: Identifier.describe('the id of an entry of connections, one with sparkplug: { hostId }'),
    groupId: SparkplugId,
    edgeNodeId: SparkplugId,
    deviceId: SparkplugId.optional().describe("absent: the edge node's own metrics (NBIRTH/NDATA)"),
    tags: z.array(SparkplugTag).min(1, 'a device needs at least one tag'),
  })
  .strict()
  .superRefine((device, ctx) => {
    reportRepeatedTagIds(ctx, device.tags);
    reportRepeats(
      ctx,
      device.tags,
      { listPath: 'tags', field: 'metric' },
      (t) => t.metric,
      (metric, first) => `tags.${first} already reads metric ${metric}`,
    );
  });
export type SparkplugDevice = z.infer<typeof SparkplugDevice>;
