import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/**
 * The Java client's (and Sarama's) `range` assignment, offered by the kafka host after
 * its own round-robin. The dapr host's sidecar (Sarama) speaks only `range`: a group
 * takes a protocol every member supports, so while a function moves from one host to
 * the other, old and new members share the group under `range` instead of the new one
 * being refused ("supported protocols are incompatible"). Alone, kafkajs members keep
 * round-robin.
 *
 * Per topic, members sorted by id take consecutive partitions; the first
 * `partitions % members` take one more.
 */
export const RangeAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'range',
  version: 0,
  async assign({ members, topics }) {
    const ids = members.map((m) => m.memberId).sort();
    const plan = new Map<string, Record<string, number[]>>(ids.map((id) => [id, {}]));
    for (const topic of topics) {
      const partitions = cluster
        .findTopicPartitionMetadata(topic)
        .map((p) => p.partitionId)
        .sort((a, b) => a - b);
      const each = Math.floor(partitions.length / ids.length);
      const extra = partitions.length % ids.length;
      let next = 0;
      ids.forEach((id, i) => {
        const count = each + (i < extra ? 1 : 0);
        if (count > 0) (plan.get(id) as Record<string, number[]>)[topic] = partitions.slice(next, next + count);
        next += count;
      });
    }
    return ids.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment: plan.get(memberId) ?? {},
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return { name: 'range', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});
