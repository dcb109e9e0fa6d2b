import type { Kafka } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { createEvent, encodeEvent } from '../../runtime/envelope.ts';
import type { Fleet } from './fleet.ts';

export interface Produced {
  /** Samples the broker acknowledged (acks = all). */
  sent: number;
  /** Sample timestamps (ms) of the first and last sample: the round's window in the data. */
  firstTimestamp: number;
  lastTimestamp: number;
  /** Wall seconds the producer was sending. */
  seconds: number;
}

const TOPIC = 'scada.telemetry.raw';
/** Every tick sends what is due by then: at 10,000/s, 100 samples a batch. */
const TICK_MS = 10;
/** Flat out: batches this large, this many at once, as fast as the broker takes them. */
const FLAT_OUT_BATCH = 1_000;
const FLAT_OUT_IN_FLIGHT = 4;

/**
 * Produces the fleet's samples to scada.telemetry.raw as the edge adapter would (a CloudEvent
 * each, key = device id), stamped with the moment they are made, so that the sample's own
 * timestamp is where its latency starts. `rate` samples/s for `seconds`, or, with rate
 * `flat-out`, `count` samples as fast as the broker acknowledges them.
 */
export async function produce(
  kafka: Kafka,
  fleet: Fleet,
  load: { rate: number; seconds: number } | { rate: 'flat-out'; count: number },
  offset: number,
): Promise<Produced> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 5 });
  await producer.connect();
  let n = offset;
  let sent = 0;
  let firstTimestamp = 0;
  let lastTimestamp = 0;
  // A series' samples need distinct timestamps (the natural key is device, tag, time): when a
  // batch (flat out) comes round to a series again within the same millisecond, the next one.
  const latest = new Float64Array(fleet.series);
  const batch = (size: number) => {
    const now = Date.now();
    if (firstTimestamp === 0) firstTimestamp = now;
    const messages = [];
    for (let i = 0; i < size; i++, n++) {
      const s = n % fleet.series;
      const timestamp = Math.max(now, (latest[s] ?? 0) + 1);
      latest[s] = timestamp;
      if (timestamp > lastTimestamp) lastTimestamp = timestamp;
      const data = fleet.sample(n, timestamp);
      const event = createEvent({ source: 'urn:flowline:bench', type: TOPIC, data, partitionkey: data.deviceId });
      messages.push({ key: data.deviceId, value: encodeEvent(event) });
    }
    return messages;
  };
  const send = async (messages: ReturnType<typeof batch>) => {
    await producer.send({ topic: TOPIC, acks: -1, messages });
    sent += messages.length;
  };
  const started = performance.now();
  try {
    if (load.rate === 'flat-out') {
      const { count } = load;
      let made = 0;
      const lane = async () => {
        while (made < count) {
          const size = Math.min(FLAT_OUT_BATCH, count - made);
          made += size;
          await send(batch(size));
        }
      };
      await Promise.all(Array.from({ length: FLAT_OUT_IN_FLIGHT }, lane));
    } else {
      const { rate, seconds } = load;
      const total = Math.round(rate * seconds);
      let made = 0;
      while (made < total) {
        // What is due by now, however long the last send took: a slow send makes the next batch larger, never the rate lower.
        const due = Math.min(total, Math.floor((rate * (performance.now() - started)) / 1000)) - made;
        // In requests of at most FLAT_OUT_BATCH: after a stall (a busy machine) what is due can pass the broker's 1 MB message limit.
        for (let left = due; left > 0; ) {
          const size = Math.min(FLAT_OUT_BATCH, left);
          left -= size;
          made += size;
          await send(batch(size));
        }
        await new Promise((resolve) => setTimeout(resolve, TICK_MS));
      }
    }
  } finally {
    await producer.disconnect();
  }
  return { sent, firstTimestamp, lastTimestamp, seconds: (performance.now() - started) / 1000 };
}
