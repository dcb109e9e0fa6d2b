import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import { callbackSink } from '../sinks/callback-sink.ts';
import type { SinkRecord } from '../sinks/sink.ts';
import { Forwarder } from './forwarder.ts';
import { type JournalOptions, openSampleJournal, type SampleJournal } from './sample-journal.ts';

const log = pino({ level: 'silent' });
const journals: SampleJournal[] = [];
const forwarders: Forwarder[] = [];
afterEach(async () => {
  for (const f of forwarders.splice(0)) await f.stop(0);
  for (const j of journals.splice(0)) j.close();
});

const sample = (i: number): TelemetryRaw => ({
  timestamp: 1_700_000_000_000 + i,
  deviceId: `d${i % 2}`,
  tagId: 't',
  value: i,
  quality: 192,
  sourceProtocol: 'MODBUS',
});

async function until(predicate: () => boolean, what: string) {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A sink that is down until `up` is set, then keeps what it receives. */
function flakySink() {
  const received: SinkRecord[] = [];
  const state = { up: false, attempts: 0 };
  const sink = callbackSink(async (records) => {
    state.attempts += 1;
    if (!state.up) throw new Error('broker unreachable');
    received.push(...records);
  });
  const data = () => received.map((r) => JSON.parse(String(r.value)));
  return { sink, received, state, data };
}

function setUp(maxBatch = 10, buffer: Pick<JournalOptions, 'maxSamples' | 'whenFull'> = { maxSamples: 10_000, whenFull: 'drop-oldest' }) {
  const journal = openSampleJournal({ path: ':memory:', ...buffer, sync: 'normal' });
  journals.push(journal);
  const flaky = flakySink();
  const forwarder = new Forwarder({
    journal,
    sink: flaky.sink,
    log,
    telemetryTopic: 'raw',
    compactedTopic: 'compacted',
    source: 'flowline/edge/test',
    maxBatch,
    lingerMs: 0,
    minRetryMs: 5,
    maxRetryMs: 20,
  });
  forwarders.push(forwarder);
  return { journal, forwarder, ...flaky };
}

describe('forwarder', () => {
  it('keeps samples while the sink is down and sends them in order once it is back', async () => {
    const { journal, forwarder, state, data } = setUp();
    forwarder.start();
    journal.appendSamples(Array.from({ length: 25 }, (_, i) => sample(i)));
    forwarder.wake();
    await until(() => state.attempts >= 3, 'a few failed attempts');
    expect(forwarder.snapshot()).toMatchObject({ state: 'unreachable', lastError: 'broker unreachable', forwarded: 0 });
    expect(journal.depth).toBe(25);
    journal.appendSamples(Array.from({ length: 5 }, (_, i) => sample(25 + i)));
    state.up = true;
    await until(() => journal.depth === 0, 'the backlog to drain');
    const events = data();
    expect(events.map((e) => e.data.value)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(events[0]).toMatchObject({ type: 'raw', source: 'flowline/edge/test', partitionkey: 'd0', subject: 'd0/t' });
    expect(forwarder.snapshot()).toMatchObject({ state: 'connected', forwarded: 30 });
  });

  it('gives the same event id to a sample sent twice, so consumers can drop the copy', async () => {
    const { journal, forwarder, received, state } = setUp();
    state.up = true;
    forwarder.start();
    journal.appendSamples([sample(1)]);
    forwarder.wake();
    await until(() => received.length === 1, 'the first copy');
    journal.appendSamples([sample(1)]);
    forwarder.wake();
    await until(() => received.length === 2, 'the second copy');
    const [a, b] = received.map((r) => JSON.parse(String(r.value)));
    expect(a.id).toBe(b.id);
  });

  it('sends command answers before telemetry', async () => {
    const { journal, forwarder, received, state } = setUp();
    journal.appendSamples([sample(1)]);
    journal.appendEvent({ topic: 'results', key: 'd0', id: 'r-1', time: 5, data: { status: 'applied' } });
    state.up = true;
    forwarder.start();
    await until(() => received.length === 2, 'both records');
    expect(received.map((r) => r.topic)).toEqual(['results', 'raw']);
  });

  it('sends compacted minutes before the samples read after them, each once', async () => {
    const { journal, forwarder, received, state } = setUp(7, { maxSamples: 100, whenFull: 'compact' });
    // 2 devices, one sample every 600 ms: 100 samples a minute; 250 read while the sink is down.
    const at = (i: number): TelemetryRaw => ({ ...sample(i), timestamp: 1_700_000_040_000 + i * 600 });
    journal.appendSamples(Array.from({ length: 250 }, (_, i) => at(i)));
    expect(journal.compacted).toBe(150);
    state.up = true;
    forwarder.start();
    await until(() => journal.depth === 0 && journal.pendingMinutes === 0, 'the backlog to drain');
    const topics = received.map((r) => r.topic);
    const firstRaw = topics.indexOf('raw');
    expect(topics.slice(0, firstRaw).every((t) => t === 'compacted')).toBe(true);
    expect(topics.slice(firstRaw).every((t) => t === 'raw')).toBe(true);
    const events = received.map((r) => JSON.parse(String(r.value)));
    const minutes = events.filter((e) => e.type === 'compacted').map((e) => e.data);
    expect(minutes.reduce((n, m) => n + m.count, 0)).toBe(150);
    expect(events.filter((e) => e.type === 'raw').map((e) => e.data.value)).toEqual(Array.from({ length: 100 }, (_, i) => 150 + i));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('on stop, sends what is left while the sink answers', async () => {
    const { journal, forwarder, received, state } = setUp(5);
    state.up = true;
    forwarder.start();
    journal.appendSamples([sample(0)]);
    forwarder.wake();
    await until(() => received.length === 1, 'the sink to be known reachable');
    journal.appendSamples(Array.from({ length: 40 }, (_, i) => sample(i + 1)));
    await forwarder.stop(5_000);
    expect(received).toHaveLength(41);
    expect(journal.depth).toBe(0);
  });
});
