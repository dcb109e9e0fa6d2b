import { describe, expect, it } from 'vitest';
import { Quality } from '../../contracts/quality.ts';
import { MqttSubscription } from '../config/mqtt-device.ts';
import { mapMessage, messageMapping } from './message-mapping.ts';
import { parsePayloadPath, readPayloadPath } from './payload-path.ts';

const now = 1_767_000_000_000;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const mapping = (subscription: Record<string, unknown>) => messageMapping(MqttSubscription.parse(subscription));

describe('payload paths', () => {
  it('reads fields, indexes and quoted names', () => {
    const payload = { data: { v: 3 }, readings: [{ value: 7 }], 'PT.102': 9 };
    expect(readPayloadPath(payload, parsePayloadPath('$.data.v') as never)).toBe(3);
    expect(readPayloadPath(payload, parsePayloadPath('$.readings[0].value') as never)).toBe(7);
    expect(readPayloadPath(payload, parsePayloadPath("$['PT.102']") as never)).toBe(9);
    expect(readPayloadPath(12.5, parsePayloadPath('$') as never)).toBe(12.5);
    expect(readPayloadPath(payload, parsePayloadPath('$.readings[3].value') as never)).toBeUndefined();
    expect(readPayloadPath(payload, parsePayloadPath('$.toString') as never)).toBeUndefined(); // own fields only
  });

  it('says what is wrong with a path', () => {
    expect(parsePayloadPath('value')).toMatch(/starts with \$/);
    expect(parsePayloadPath('$.a..b')).toMatch(/cannot read/);
  });
});

describe('mapping a plain MQTT message', () => {
  it('takes the tag from a topic level and value and time from the JSON payload', () => {
    const m = mapping({ topic: 'pad7/wireless/+/+', tag: { level: 3 }, value: '$.v', timestamp: '$.ts' });
    expect(mapMessage(m, 'wt-w02', 'pad7/wireless/wt-w02/PT-102', json({ v: 61.2, ts: 1_767_000_000 }), now)).toEqual({
      kind: 'sample',
      tagKey: 'PT-102',
      value: 61.2,
      timestamp: 1_767_000_000_000, // seconds, recognised by size
      quality: Quality.GOOD,
    });
  });

  it('takes device and tag from JSON fields, leaving other devices on a shared topic alone', () => {
    const m = mapping({ topic: 'pad7/gateway', device: { field: '$.sensor' }, tag: { field: '$.point' }, timestamp: '$.time' });
    const payload = { sensor: 'wt-w02', point: 'casing', value: '58.5', time: '2026-01-01T00:00:00.250Z' };
    expect(mapMessage(m, 'wt-w02', 'pad7/gateway', json(payload), now)).toMatchObject({
      kind: 'sample',
      tagKey: 'casing',
      value: 58.5, // numeric text, as many transmitters send it
      timestamp: Date.parse('2026-01-01T00:00:00.250Z'),
    });
    expect(mapMessage(m, 'wt-w03', 'pad7/gateway', json(payload), now)).toEqual({ kind: 'other-device' });
  });

  it('takes a fixed tag, a bare value and the arrival time when the payload has no time', () => {
    const m = mapping({ topic: 'pad7/w01/level', tag: 'tank_level', value: '$' });
    expect(mapMessage(m, 'x', 'pad7/w01/level', Buffer.from('4.25'), now)).toEqual({
      kind: 'sample',
      tagKey: 'tank_level',
      value: 4.25,
      timestamp: now,
      quality: Quality.GOOD,
    });
  });

  it('reads quality as a quality byte, a boolean or a word; a bad reading may carry no value', () => {
    const m = mapping({ topic: 't', tag: 'x', quality: '$.q' });
    expect(mapMessage(m, 'd', 't', json({ value: 1, q: 84 }), now)).toMatchObject({ quality: Quality.UNCERTAIN_EU_EXCEEDED });
    expect(mapMessage(m, 'd', 't', json({ value: 1, q: false }), now)).toMatchObject({ quality: Quality.BAD });
    expect(mapMessage(m, 'd', 't', json({ value: 1, q: 'Uncertain' }), now)).toMatchObject({ quality: Quality.UNCERTAIN });
    expect(mapMessage(m, 'd', 't', json({ value: null, q: 'bad' }), now)).toMatchObject({ kind: 'sample', value: undefined });
    expect(mapMessage(m, 'd', 't', json({ value: null, q: 'good' }), now)).toMatchObject({ kind: 'malformed' });
  });

  it.each([
    ['not JSON', '{"value": 1', /not JSON/],
    ['a missing value', '{"other": 1, "ts": 1, "q": 192}', /^\$\.value is missing, not a number$/],
    ['text that is not a number', '{"value": "high", "ts": 1, "q": 192}', /"high", not a number/],
    ['an unreadable timestamp', '{"value": 1, "ts": "yesterday", "q": 192}', /^\$\.ts is "yesterday", not a timestamp \(auto\)$/],
    ['an unknown quality word', '{"value": 1, "ts": 1, "q": "fine"}', /^\$\.q is "fine", not a quality$/],
  ])('calls %s malformed, with the reason', (_, payload, reason) => {
    const m = mapping({ topic: 'pad7/+/+', tag: { level: 2 }, timestamp: '$.ts', quality: '$.q' });
    expect(mapMessage(m, 'd', 'pad7/d/pt', Buffer.from(payload), now)).toMatchObject({
      kind: 'malformed',
      reason: expect.stringMatching(reason),
    });
  });

  it('calls a topic too short for the tag level malformed', () => {
    const m = mapping({ topic: 'pad7/#', tag: { level: 3 } });
    expect(mapMessage(m, 'd', 'pad7/w01', json({ value: 1 }), now)).toMatchObject({
      kind: 'malformed',
      reason: 'no tag name at level 3 of pad7/w01',
    });
  });

  it('refuses a tag level beyond the filter in the configuration', () => {
    const parsed = MqttSubscription.safeParse({ topic: 'pad7/+', tag: { level: 2 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('pad7/+ has 2 levels (0–1)');
  });
});
