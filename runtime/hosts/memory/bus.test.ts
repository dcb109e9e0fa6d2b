import { describe, expect, it } from 'vitest';
import { type BusRecord, MemoryBus } from './bus.ts';

const publishNumbers = (bus: MemoryBus, from: number, to: number) =>
  bus.publish(Array.from({ length: to - from }, (_, i) => ({ topic: 'in', key: 'k', value: String(from + i) })));

describe('memory bus consumer groups', () => {
  it('lets the in-flight chunk finish and commit on stop, and resumes the same group exactly there', async () => {
    const bus = new MemoryBus({ partitions: 1 });
    publishNumbers(bus, 0, 10);
    const firstRun: string[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let entered: () => void = () => {};
    const inFlight = new Promise<void>((r) => {
      entered = r;
    });
    const first = bus.subscribe(
      'g',
      ['in'],
      async (records: BusRecord[]) => {
        entered();
        await held; // the chunk is in flight when stop() is called
        firstRun.push(...records.map((r) => String(r.value)));
        return records.length;
      },
      { maxChunk: 4, fromBeginning: true },
    );
    await inFlight;
    const stopped = first.stop();
    release();
    await stopped;
    expect(firstRun).toEqual(['0', '1', '2', '3']);

    publishNumbers(bus, 10, 12);
    const secondRun: string[] = [];
    // fromBeginning is true again: the committed offsets win over it, as in Kafka.
    const second = bus.subscribe(
      'g',
      ['in'],
      async (records) => {
        secondRun.push(...records.map((r) => String(r.value)));
        return records.length;
      },
      { maxChunk: 4, fromBeginning: true },
    );
    await bus.drained();
    await second.stop();
    expect(secondRun).toEqual(['4', '5', '6', '7', '8', '9', '10', '11']);
  });

  it('places a new group at the end of the log when it does not start from the beginning', async () => {
    const bus = new MemoryBus({ partitions: 1 });
    publishNumbers(bus, 0, 3);
    const seen: string[] = [];
    const sub = bus.subscribe(
      'late',
      ['in'],
      async (records) => {
        seen.push(...records.map((r) => String(r.value)));
        return records.length;
      },
      { maxChunk: 10, fromBeginning: false },
    );
    publishNumbers(bus, 3, 5);
    await bus.drained();
    await sub.stop();
    expect(seen).toEqual(['3', '4']);
  });

  it('still refuses a second consumer for a group while the first runs', () => {
    const bus = new MemoryBus();
    const sub = bus.subscribe('g', ['in'], async (r) => r.length, { maxChunk: 1, fromBeginning: true });
    expect(() => bus.subscribe('g', ['in'], async (r) => r.length, { maxChunk: 1, fromBeginning: true })).toThrow(
      'consumer group "g" already has a consumer on this bus',
    );
    return sub.stop();
  });
});

describe('memory bus keepCommitted', () => {
  it('keeps what the slowest group has not committed, and only keepCommitted records behind it', async () => {
    const bus = new MemoryBus({ partitions: 1, keepCommitted: 5 });
    let slowMayRead = false;
    const fast = bus.subscribe('fast', ['in'], async (r) => r.length, { maxChunk: 10, fromBeginning: true });
    // The slow group takes nothing until told: the fast one's commits alone free nothing.
    const slow = bus.subscribe('slow', ['in'], async (r) => (slowMayRead ? r.length : 0), { maxChunk: 10, fromBeginning: true });
    publishNumbers(bus, 0, 100);
    await new Promise((r) => setTimeout(r, 50));
    expect(bus.lag('fast')).toBe(0);
    expect(bus.read('in')).toHaveLength(100);

    slowMayRead = true;
    await bus.drained();
    expect(bus.read('in').map((r) => r.value)).toEqual(['95', '96', '97', '98', '99']);
    // A group that joins later from the beginning starts at the oldest record kept.
    const seen: string[] = [];
    const late = bus.subscribe(
      'late',
      ['in'],
      async (r) => {
        seen.push(...r.map((x) => String(x.value)));
        return r.length;
      },
      { maxChunk: 10, fromBeginning: true },
    );
    await bus.drained();
    expect(seen).toEqual(['95', '96', '97', '98', '99']);
    await Promise.all([fast.stop(), slow.stop(), late.stop()]);
  });

  it('keeps everything up to the retention by default, and on a topic nobody reads', async () => {
    const bus = new MemoryBus({ partitions: 1, keepCommitted: 5 });
    publishNumbers(bus, 0, 50); // "in": no group
    expect(bus.read('in')).toHaveLength(50);
    const everything = new MemoryBus({ partitions: 1 });
    const sub = everything.subscribe('g', ['in'], async (r) => r.length, { maxChunk: 10, fromBeginning: true });
    publishNumbers(everything, 0, 50);
    await everything.drained();
    expect(everything.read('in')).toHaveLength(50);
    await sub.stop();
  });
});
