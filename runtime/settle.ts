import type { BoundFunction } from './bound-function.ts';
import { toDeadLetter } from './dead-letter.ts';
import type { DeliveryResult, InboundRecord, OutgoingEvent } from './deliver.ts';
import { encodeEvent } from './envelope.ts';

/** A message for a log-based transport (Kafka or the memory bus). */
export interface OutboundMessage {
  topic: string;
  key: string | undefined;
  value: Uint8Array | string;
  headers?: Record<string, string>;
}

export interface Settlement {
  /** Dead letters and published events: to be sent, and acknowledged, before committing. */
  messages: OutboundMessage[];
  /**
   * How many records, from the first, may be committed: all of them unless one must be
   * redelivered, in which case the commit stops just before it.
   */
  committable: number;
}

/** What a log-based host must send and may commit after a delivery. */
export function settle(fn: BoundFunction, records: readonly InboundRecord[], result: DeliveryResult): Settlement {
  const messages: OutboundMessage[] = [];
  let committable = records.length;
  result.outcomes.forEach((outcome, index) => {
    const record = records[index];
    if (!record) return;
    if (outcome.kind === 'dead-letter') messages.push(toDeadLetter(fn.manifest.name, record, outcome));
    else if (outcome.kind === 'redeliver' && index < committable) committable = index;
  });
  for (const published of result.publishes) messages.push(toOutbound(published));
  return { messages, committable };
}

export const toOutbound = (published: OutgoingEvent): OutboundMessage => ({
  topic: published.topic,
  key: published.key,
  value: encodeEvent(published.event),
});
