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
