import type { InboundRecord } from './deliver.ts';
import type { Outcome } from './outcome.ts';
import { deadLetterTopicOf } from './topics.ts';

/**
 * A dead letter keeps the original message byte for byte (so replay is "produce it
 * back") and says what went wrong in headers, which every Kafka tool shows.
 */
export interface DeadLetter {
  topic: string;
  key: string | undefined;
  value: Uint8Array | string;
  headers: Record<string, string>;
}

export const deadLetterHeader = {
  reason: 'flowline-error',
  cause: 'flowline-error-cause',
  function: 'flowline-function',
  attempts: 'flowline-attempts',
  failedAt: 'flowline-failed-at',
  sourceTopic: 'flowline-source-topic',
  sourcePartition: 'flowline-source-partition',
  sourceOffset: 'flowline-source-offset',
} as const;

export function toDeadLetter(
  functionName: string,
  record: InboundRecord,
  outcome: Extract<Outcome, { kind: 'dead-letter' }>,
  now = new Date(),
): DeadLetter {
  const value =
    record.value === null
      ? ''
      : typeof record.value === 'string' || record.value instanceof Uint8Array
        ? record.value
        : JSON.stringify(record.value);
  return {
    topic: deadLetterTopicOf(record.topic),
    key: record.key,
    value,
    // The original's own headers (its traceparent, the producer's) beside ours; ours win a clash.
    headers: {
      ...record.headers,
      [deadLetterHeader.reason]: outcome.reason.slice(0, 2000),
      [deadLetterHeader.cause]: outcome.cause,
      [deadLetterHeader.function]: functionName,
      [deadLetterHeader.attempts]: String(outcome.attempts),
      [deadLetterHeader.failedAt]: now.toISOString(),
      [deadLetterHeader.sourceTopic]: record.topic,
      [deadLetterHeader.sourcePartition]: String(record.partition),
      [deadLetterHeader.sourceOffset]: record.offset,
    },
  };
}
