import type { SampleWindow } from './assess.ts';

/**
 * The newest samples of one tag (as many as its rule looks back at), kept in this process so
 * that a sample newer than all of them is assessed without reading its history back from
 * Redis. `version` is the tag's history version these samples reflect: any other writer
 * bumps it, and a copy whose version no longer matches is read again.
 */
export class RecentSamples implements SampleWindow {
  version: number;
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private readonly qualities: Uint8Array;
  private head = -1;
  private size = 0;

  constructor(capacity: number, version: number) {
    this.version = version;
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.qualities = new Uint8Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** The newest sample's time, or -Infinity while none is known. */
  get newest(): number {
    return this.size === 0 ? Number.NEGATIVE_INFINITY : this.time(0);
  }

  time(i: number): number {
    return this.times[this.slot(i)] as number;
  }

  value(i: number): number {
    return this.values[this.slot(i)] as number;
  }

  quality(i: number): number {
    return this.qualities[this.slot(i)] as number;
  }

  /** Adds a sample newer than every one held; the oldest falls out when full. */
  push(time: number, value: number, quality: number): void {
    const capacity = this.times.length;
    this.head = (this.head + 1) % capacity;
    this.times[this.head] = time;
    this.values[this.head] = value;
    this.qualities[this.head] = quality;
    if (this.size < capacity) this.size++;
  }

  private slot(i: number): number {
    const capacity = this.times.length;
    return (this.head - i + capacity) % capacity;
  }
}

/**
 * RecentSamples per tag, at most `maxTags` of them: the tags least recently seen are
 * forgotten first (a forgotten tag is read from Redis again), so memory stays bounded
 * however large the fleet a replica serves.
 */
export class RecentHistory {
  private readonly tags = new Map<string, RecentSamples>();
  private readonly maxTags: number;

  constructor(maxTags: number) {
    this.maxTags = maxTags;
  }

  get size(): number {
    return this.tags.size;
  }

  get(key: string): RecentSamples | undefined {
    const samples = this.tags.get(key);
    if (samples) {
      // Map keeps insertion order: re-inserting makes this the most recently seen.
      this.tags.delete(key);
      this.tags.set(key, samples);
    }
    return samples;
  }

  set(key: string, samples: RecentSamples): void {
    this.tags.delete(key);
    this.tags.set(key, samples);
    if (this.tags.size > this.maxTags) this.tags.delete(this.tags.keys().next().value as string);
  }

  forget(key: string): void {
    this.tags.delete(key);
  }
}
