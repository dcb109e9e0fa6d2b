/** The message types of Sparkplug B 3.0 topics: spBv1.0/<group>/<type>/<edge node>[/<device>]. */
export const messageTypes = ['NBIRTH', 'NDEATH', 'DBIRTH', 'DDEATH', 'NDATA', 'DDATA', 'NCMD', 'DCMD'] as const;
export type MessageType = (typeof messageTypes)[number];

export const namespace = 'spBv1.0';

export interface SparkplugTopic {
  groupId: string;
  type: MessageType;
  edgeNodeId: string;
  deviceId: string | undefined;
}

/** A node's key in maps and metric labels: group/edge node. */
export const nodeKey = (groupId: string, edgeNodeId: string): string => `${groupId}/${edgeNodeId}`;

/** The parts of a Sparkplug B topic, or undefined for anything else (STATE, other namespaces, wrong shape). */
export function parseSparkplugTopic(topic: string): SparkplugTopic | undefined {
  const [ns, groupId, type, edgeNodeId, deviceId, ...rest] = topic.split('/');
  if (ns !== namespace || !groupId || !edgeNodeId || rest.length > 0) return undefined;
  if (!(messageTypes as readonly string[]).includes(type ?? '')) return undefined;
  const t = type as MessageType;
  const forDevice = t.startsWith('D');
  if (forDevice !== (deviceId !== undefined && deviceId !== '')) return undefined;
  return { groupId, type: t, edgeNodeId, deviceId: forDevice ? deviceId : undefined };
}

export function sparkplugTopic(groupId: string, type: MessageType, edgeNodeId: string, deviceId?: string): string {
  return [namespace, groupId, type, edgeNodeId, ...(deviceId === undefined ? [] : [deviceId])].join('/');
}

/** Sparkplug 3.0's host application STATE topic (retained, JSON). */
export const stateTopic = (hostId: string): string => `${namespace}/STATE/${hostId}`;
