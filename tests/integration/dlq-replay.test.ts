import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { replayDeadLetters, showDeadLetters } from '../../cli/dead-letters.ts';
import { deadLetterHeader } from '../../runtime/dead-letter.ts';
import { connectTestKafka, type TestKafka } from '../support/kafka.ts';

/** The SRE's `flowline dlq show|replay` against the real broker. */
const { kafkaBrokers } = inject('services');
let kafka: TestKafka;
beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
});
afterAll(() => kafka.close());

describe('flowline dlq', () => {
  it('shows each dead letter with its reason and replays each to its source topic exactly once', async () => {
    const topic = `test.dlq-${randomUUID().slice(0, 8)}.in`;
    await kafka.createTopics([topic, `${topic}.dlq`], 2);
    const letters = ['a', 'b', 'c'].map((key, i) => ({
      key,
      value: JSON.stringify({ specversion: '1.0', id: `evt-${key}`, source: 's', type: topic, data: { n: i } }),
      headers: {
        [deadLetterHeader.reason]: `PermanentError: broken ${key}`,
        [deadLetterHeader.cause]: 'permanent',
        [deadLetterHeader.function]: i === 2 ? 'other' : 'validate',
        [deadLetterHeader.sourceTopic]: topic,
      },
    }));
    await kafka.producer.send({ topic: `${topic}.dlq`, acks: -1, messages: letters });
    const client = new Kafka({ clientId: 'cli-test', brokers: [kafkaBrokers], logLevel: logLevel.NOTHING });

    const lines: string[] = [];
    expect(await showDeadLetters(client, topic, (l) => lines.push(l))).toBe(3);
    expect(lines.map((l) => l.replace(/^\d+\/\d+ +/, '').replace(/ {2}\S* {2}/, '  ')).sort()).toEqual([
      'key=a  validate  [permanent] PermanentError: broken a',
      'key=b  validate  [permanent] PermanentError: broken b',
      'key=c  other  [permanent] PermanentError: broken c',
    ]);

    expect(await replayDeadLetters(client, topic, { functionName: 'validate' })).toBe(2);
    const replayed = await kafka.readAll(topic, 2);
    expect(replayed.map((m) => `${m.key} ${JSON.parse(m.value).id}`).sort()).toEqual(['a evt-a', 'b evt-b']);
    expect(replayed[0]?.headers['flowline-replayed-from']).toMatch(new RegExp(`^${topic.replaceAll('.', '\\.')}\\.dlq/\\d+/\\d+$`));
    // The replay group remembers: the same replay again sends nothing; the other function's letter is still there for its own.
    expect(await replayDeadLetters(client, topic, { functionName: 'validate' })).toBe(0);
    expect(await replayDeadLetters(client, topic, { functionName: 'other' })).toBe(1);
  });
});
