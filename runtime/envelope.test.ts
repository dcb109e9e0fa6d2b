import { describe, expect, it } from 'vitest';
import { childTraceparent, createEvent, decodeEvent, derivedEventId, encodeEvent, newTraceparent, traceIdOf } from './envelope.ts';

describe('CloudEvents envelope', () => {
  it('round-trips a created event through bytes', () => {
    const event = createEvent({ source: 'flowline/validate', type: 'scada.telemetry.validated', data: { v: 1 }, partitionkey: 'dev-1' });
    expect(event).toMatchObject({ specversion: '1.0', datacontenttype: 'application/json', partitionkey: 'dev-1' });
    const decoded = decodeEvent(encodeEvent(event), { topic: 't' });
    expect(decoded).toEqual({ ok: true, event });
  });

  it('wraps a plain JSON payload with an id derived from its log position, stable across redeliveries', () => {
    const a = decodeEvent('{"deviceId":"d1","value":3}', { topic: 'scada.telemetry.raw', partition: 2, offset: '41', key: 'd1' });
    const b = decodeEvent('{"deviceId":"d1","value":3}', { topic: 'scada.telemetry.raw', partition: 2, offset: '41', key: 'd1' });
    expect(a.ok && a.event.id).toBe('scada.telemetry.raw-2-41');
    expect(a).toEqual(b);
    expect(a.ok && a.event.data).toEqual({ deviceId: 'd1', value: 3 });
  });

  it.each([
    [null, 'empty message'],
    ['{nope', 'not JSON'],
    ['[1,2]', 'not a JSON object'],
    ['{"specversion":"0.3","id":"x","source":"s","type":"t","data":{}}', 'specversion must be "1.0"'],
    ['{"specversion":"1.0","id":"","source":"s","type":"t","data":{}}', '"id" must be a non-empty string'],
    ['{"specversion":"1.0","id":"x","source":"s","type":"t"}', '"data" is missing'],
  ])('rejects %s with a reason', (payload, reason) => {
    const decoded = decodeEvent(payload, { topic: 't', partition: 0, offset: '0' });
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toContain(reason);
  });

  it('continues a trace in a child span', () => {
    const parent = newTraceparent();
    const child = childTraceparent(parent);
    expect(traceIdOf(child)).toBe(traceIdOf(parent));
    expect(child).not.toBe(parent);
    expect(traceIdOf(childTraceparent('garbage'))).toMatch(/^[0-9a-f]{32}$/);
  });

  it('derives the same UUID-shaped id from the same parts, a different one otherwise', () => {
    const id = derivedEventId(['validate', 'evt-1', 'out', '1']);
    expect(id).toBe(derivedEventId(['validate', 'evt-1', 'out', '1']));
    expect(id).not.toBe(derivedEventId(['validate', 'evt-1', 'out', '2']));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
