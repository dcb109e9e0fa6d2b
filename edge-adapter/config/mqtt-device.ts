import { z } from 'zod';
import { Identifier } from '../../contracts/telemetry.ts';
import { parsePayloadPath } from '../mqtt/payload-path.ts';
import { topicFilterProblem } from '../mqtt/topic-filter.ts';
import { engineeringFields } from './engineering-fields.ts';
import { reportRepeatedTagIds, reportRepeats } from './repeated-values.ts';

export const PayloadPathText = z.string().superRefine((text, ctx) => {
  const parsed = parsePayloadPath(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const TopicFilter = z.string().superRefine((filter, ctx) => {
  const problem = topicFilterProblem(filter);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A name read from the message: a level of its topic (0 is the first) or a field of its JSON payload. */
const FromMessage = z.union(
  [z.object({ level: z.number().int().min(0).max(63) }).strict(), z.object({ field: PayloadPathText }).strict()],
  { error: 'use { level: <n> } (a topic level, 0 first) or { field: $.path } (a field of the JSON payload)' },
);
export type FromMessage = z.infer<typeof FromMessage>;

export const MqttSubscription = z
  .object({
    topic: TopicFilter.describe('an MQTT topic filter; + is one level, # the rest'),
    qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
    /** Which tag a message carries: a tag key, or where to read it. */
    tag: z.union([z.string().min(1), FromMessage]),
    /** Several devices may share a topic; a message is this device's only when this names its deviceKey. */
    device: FromMessage.optional(),
    value: PayloadPathText.default('$.value'),
    /** Absent: the time the message arrived. */
    timestamp: PayloadPathText.optional(),
    timestampFormat: z.enum(['auto', 'epoch-ms', 'epoch-s', 'iso8601']).default('auto'),
    /** A quality field: an OPC DA quality byte (0–255), true/false, or good/uncertain/bad. Absent: good. */
    quality: PayloadPathText.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const levels = s.topic.split('/');
    const open = levels.includes('#');
    for (const [key, from] of [
      ['tag', s.tag],
      ['device', s.device],
    ] as const) {
      if (from && typeof from === 'object' && 'level' in from && !open && from.level >= levels.length) {
        ctx.addIssue({
          code: 'custom',
          path: [key, 'level'],
          message: `${s.topic} has ${levels.length} levels (0–${levels.length - 1})`,
        });
      }
    }
  });
export type MqttSubscription = z.infer<typeof MqttSubscription>;

export const MqttTag = z
  .object({
    id: Identifier,
    /** The tag's name in topics and payloads, when it is not its id (e.g. PT-102). */
    key: z.string().min(1).optional(),
    ...engineeringFields,
  })
  .strict()
  .superRefine((tag, ctx) => {
    if (tag.writable) {
      ctx.addIssue({
        code: 'custom',
        path: ['writable'],
        message:
          'plain MQTT has no standard way to write a setpoint: make it a sparkplug device (commands become DCMD) or leave it read-only',
      });
    }
  });
export type MqttTag = z.infer<typeof MqttTag>;

/**
 * A device that publishes JSON on plain MQTT topics (a wireless transmitter, a flow
 * computer, a legacy IoT gateway): subscriptions say which messages are its and where
 * the tag, value, time and quality sit in them; tags say which tags it has.
 */
export const MqttDevice = z
  .object({
    id: Identifier,
    protocol: z.literal('mqtt'),
    connection: Identifier.describe('the id of an entry of connections'),
    /** The device's name in topics and payloads, when it is not its id. */
    deviceKey: z.string().min(1).optional(),
    subscriptions: z.array(MqttSubscription).min(1, 'a plain MQTT device needs at least one subscription'),
    tags: z.array(MqttTag).min(1, 'a device needs at least one tag'),
  })
  .strict()
  .superRefine((device, ctx) => {
    reportRepeatedTagIds(ctx, device.tags);
    // A repeated id is reported once, above; a key is checked only for a tag whose id is new.
    const firstWithId = new Map<string, number>();
    device.tags.forEach((tag, index) => {
      if (!firstWithId.has(tag.id)) firstWithId.set(tag.id, index);
    });
    reportRepeats(
      ctx,
      device.tags,
      { listPath: 'tags', field: 'key' },
      (t) => t.key ?? t.id,
      (key, first) => `tags.${first} already has the key ${key}`,
      (tag, index) => firstWithId.get(tag.id) === index,
    );
  });
export type MqttDevice = z.infer<typeof MqttDevice>;
