import { describe, expect, it } from 'vitest';
import { Quality } from '../../contracts/quality.ts';
import { decodeSparkplug, encodeSparkplug } from './sparkplug-payload.ts';
import { parseSparkplugTopic } from './sparkplug-topic.ts';
import { type Effect, SparkplugTracker } from './sparkplug-tracker.ts';

const t0 = 1_767_000_000_000;
type M = { name?: string; alias?: number; type: 'Float' | 'Double' | 'UInt64' | 'Boolean' | 'String' | 'Int64'; value: unknown };

/** Messages go through the real codec, as they arrive from the broker. */
function feed(tracker: SparkplugTracker, topic: string, body: { seq?: number; metrics: M[] }, now = t0): Effect[] {
  const parsed = parseSparkplugTopic(topic);
  if (!parsed) throw new Error(`not a Sparkplug topic: ${topic}`);
  const bytes = encodeSparkplug({ timestamp: now, ...(body.seq === undefined ? {} : { seq: body.seq }), metrics: body.metrics as never });
  return tracker.handle(parsed, decodeSparkplug(bytes), now);
}

const nbirth = (bdSeq: number | undefined): { seq: number; metrics: M[] } => ({
  seq: 0,
  metrics: [
    ...(bdSeq === undefined ? [] : [{ name: 'bdSeq', type: 'UInt64' as const, value: bdSeq }]),
    { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
    { name: 'Uptime', alias: 1, type: 'Int64', value: 10 },
  ],
});
const dbirth = (seq: number): { seq: number; metrics: M[] } => ({
  seq,
  metrics: [
    { name: 'Separator/Pressure', alias: 10, type: 'Float', value: 10.5 },
    { name: 'Separator/Level', alias: 11, type: 'Double', value: 48 },
    { name: 'Separator/Tag', alias: 12, type: 'String', value: 'SEP-01' },
  ],
});
const N = 'spBv1.0/campo-norte/NBIRTH/skid';
const D = (type: string) => `spBv1.0/campo-norte/${type}/skid/separator`;
const kinds = (effects: Effect[]) => effects.map((e) => (e.kind === 'event' ? `event:${e.event}` : e.kind));
const born = () => {
  const tracker = new SparkplugTracker({ rebirthMinIntervalMs: 5_000 });
  feed(tracker, N, nbirth(3));
  feed(tracker, D('DBIRTH'), dbirth(1));
  return tracker;
};

describe('the Sparkplug host state', () => {
  it('takes metric names, aliases and datatypes from the births, and resolves data by alias', () => {
    const tracker = new SparkplugTracker({ rebirthMinIntervalMs: 5_000 });
    expect(kinds(feed(tracker, N, nbirth(3)))).toEqual(['event:birth', 'values']);
    const birth = feed(tracker, D('DBIRTH'), dbirth(1));
    expect(birth.find((e) => e.kind === 'values')).toMatchObject({
      deviceId: 'separator',
      birth: true,
      metrics: [
        { name: 'Separator/Pressure', value: 10.5, quality: Quality.GOOD },
        { name: 'Separator/Level', value: 48 },
        { name: 'Separator/Tag', value: undefined, notNumeric: true, quality: Quality.BAD_CONFIG_ERROR },
      ],
    });
    expect(tracker.definition('campo-norte/skid', 'separator', 'Separator/Level')).toEqual({
      name: 'Separator/Level',
      alias: 11,
      datatype: 'Double',
    });
    const data = feed(tracker, D('DDATA'), { seq: 2, metrics: [{ alias: 11, type: 'Double', value: 52.25 }] }, t0 + 1000);
    expect(data).toEqual([
      {
        kind: 'values',
        node: 'campo-norte/skid',
        deviceId: 'separator',
        birth: false,
        metrics: [{ name: 'Separator/Level', value: 52.25, notNumeric: false, timestamp: t0 + 1000, quality: Quality.GOOD }],
      },
    ]);
  });

  it('turns the node and all its devices bad on NDEATH with the birth’s bdSeq', () => {
    const tracker = born();
    const effects = feed(tracker, 'spBv1.0/campo-norte/NDEATH/skid', { metrics: [{ name: 'bdSeq', type: 'UInt64', value: 3 }] });
    expect(effects).toContainEqual({
      kind: 'offline',
      node: 'campo-norte/skid',
      deviceId: undefined,
      quality: Quality.BAD_NOT_CONNECTED,
      reason: 'NDEATH',
      at: t0,
    });
    expect(kinds(effects)).not.toContain('rebirth');
    expect(tracker.isOnline('campo-norte/skid', 'separator')).toBe(false);
    expect(tracker.definition('campo-norte/skid', 'separator', 'Separator/Level')).toBeUndefined(); // no writes to the dead
  });

  it('turns one device bad on DDEATH, leaving the node online', () => {
    const tracker = born();
    const effects = feed(tracker, D('DDEATH'), { seq: 2, metrics: [] });
    expect(effects).toContainEqual(expect.objectContaining({ kind: 'offline', deviceId: 'separator', quality: Quality.BAD_NOT_CONNECTED }));
    expect(tracker.isOnline('campo-norte/skid', undefined)).toBe(true);
    expect(tracker.isOnline('campo-norte/skid', 'separator')).toBe(false);
  });

  it('treats an NDEATH with another bdSeq as a death, and asks for a rebirth a live node would answer', () => {
    const tracker = born();
    const effects = feed(tracker, 'spBv1.0/campo-norte/NDEATH/skid', { metrics: [{ name: 'bdSeq', type: 'UInt64', value: 2 }] });
    expect(kinds(effects)).toEqual(['event:bdseq-mismatch', 'offline', 'rebirth', 'event:rebirth-requested']);
    expect(effects[0]).toMatchObject({ detail: 'NDEATH bdSeq 2, the NBIRTH had 3' });
  });

  it('does not trust a node whose NBIRTH has no bdSeq', () => {
    const tracker = new SparkplugTracker({ rebirthMinIntervalMs: 5_000 });
    const effects = feed(tracker, N, nbirth(undefined));
    expect(effects).toContainEqual(
      expect.objectContaining({ kind: 'offline', quality: Quality.BAD_CONFIG_ERROR, reason: 'NBIRTH without bdSeq' }),
    );
    expect(kinds(effects)).toContain('event:bdseq-missing');
    expect(tracker.isOnline('campo-norte/skid', undefined)).toBe(false);
  });

  it('asks for a rebirth on a seq gap, once per interval, and keeps the data it got', () => {
    const tracker = born();
    const gap = feed(tracker, D('DDATA'), { seq: 5, metrics: [{ alias: 10, type: 'Float', value: 11 }] }, t0 + 1000);
    expect(kinds(gap)).toEqual(['event:seq-gap', 'rebirth', 'event:rebirth-requested', 'values']);
    expect(gap[0]).toMatchObject({ detail: 'DDATA seq 5, expected 2' });
    expect(gap[1]).toEqual({ kind: 'rebirth', groupId: 'campo-norte', edgeNodeId: 'skid', reason: 'DDATA seq 5, expected 2' });
    // Another gap within 5 s is counted but does not flood the node with NCMDs.
    expect(kinds(feed(tracker, D('DDATA'), { seq: 9, metrics: [] }, t0 + 2000))).toEqual(['event:seq-gap', 'values']);
    expect(kinds(feed(tracker, D('DDATA'), { seq: 11, metrics: [] }, t0 + 7000))).toContain('rebirth');
    // seq wraps from 255 to 0 without a gap.
    const wrapped = born();
    for (let seq = 2; seq <= 255; seq++) feed(wrapped, D('DDATA'), { seq, metrics: [] });
    expect(kinds(feed(wrapped, D('DDATA'), { seq: 0, metrics: [] }))).toEqual(['values']);
  });

  it('asks for a rebirth when data comes before any birth, or names an alias no birth defined', () => {
    const tracker = new SparkplugTracker({ rebirthMinIntervalMs: 0 });
    expect(kinds(feed(tracker, D('DDATA'), { seq: 4, metrics: [{ alias: 10, type: 'Float', value: 1 }] }))).toEqual([
      'event:no-birth',
      'rebirth',
      'event:rebirth-requested',
    ]);
    feed(tracker, N, nbirth(1));
    expect(kinds(feed(tracker, D('DDATA'), { seq: 1, metrics: [] }))).toEqual(['event:no-birth', 'rebirth', 'event:rebirth-requested']);
    feed(tracker, D('DBIRTH'), dbirth(2));
    const unknown = feed(tracker, D('DDATA'), {
      seq: 3,
      metrics: [
        { alias: 99, type: 'Float', value: 1 },
        { alias: 10, type: 'Float', value: 2 },
      ],
    });
    expect(kinds(unknown)).toEqual(['values', 'event:unknown-alias', 'rebirth', 'event:rebirth-requested']);
    expect(unknown[0]).toMatchObject({ metrics: [{ name: 'Separator/Pressure', value: 2 }] });
  });

  it('forgets every session when the broker connection is lost', () => {
    const tracker = born();
    tracker.forgetAll();
    expect(tracker.isOnline('campo-norte/skid', undefined)).toBe(false);
    expect(kinds(feed(tracker, D('DDATA'), { seq: 2, metrics: [] }))).toContain('event:no-birth');
  });
});
