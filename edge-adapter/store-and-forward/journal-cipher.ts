import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

const ivBytes = 12;
const tagBytes = 16;
const keyCheckText = 'flowline edge buffer key check v1';

/**
 * Envelope encryption of what the buffer holds (sample values and qualities, compacted
 * minutes' figures, command results and audit records): AES-256-GCM per row, the row's
 * place bound in as associated data so a row moved to another series or time fails to
 * open. What stays readable: device and tag names, timestamps and counts (the order and
 * the bounds need them; they say what was read and when, not what it read).
 *
 * SQLite's own page encryption (SQLCipher and the like) needs a native build of SQLite
 * that node:sqlite does not take; this keeps the buffer on Node's built-in SQLite.
 */
export class JournalCipher {
  private readonly key: Buffer;
  // Random IVs drawn from a pool: one getrandom call per 4,096 rows instead of one per row.
  private pool = Buffer.alloc(0);
  private poolAt = 0;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error(`the buffer key must be 32 bytes (AES-256), got ${key.length}`);
    this.key = Buffer.from(key);
  }

  seal(plain: Buffer, aad: Buffer): Uint8Array {
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aad);
    return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }

  /** Throws when the row was sealed with another key, or altered since. */
  open(sealed: Uint8Array, aad: Buffer): Buffer {
    const blob = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (blob.length < ivBytes + tagBytes)
      throw new BufferKeyError('a sealed buffer row is shorter than its IV and tag: the file was altered');
    const decipher = createDecipheriv('aes-256-gcm', this.key, blob.subarray(0, ivBytes));
    decipher.setAAD(aad);
    decipher.setAuthTag(blob.subarray(blob.length - tagBytes));
    try {
      return Buffer.concat([decipher.update(blob.subarray(ivBytes, blob.length - tagBytes)), decipher.final()]);
    } catch {
      throw new BufferKeyError('a buffer row does not open with this key: it was written with another key, or the file was altered');
    }
  }

  /** Numbers (float64) sealed together. */
  sealNumbers(values: readonly number[], aad: Buffer): Uint8Array {
    const plain = Buffer.allocUnsafe(values.length * 8);
    for (let i = 0; i < values.length; i++) plain.writeDoubleLE(values[i] as number, i * 8);
    return this.seal(plain, aad);
  }

  openNumbers(sealed: Uint8Array, count: number, aad: Buffer): number[] {
    const plain = this.open(sealed, aad);
    if (plain.length !== count * 8) throw new BufferKeyError(`a sealed buffer row holds ${plain.length / 8} numbers, not ${count}`);
    return Array.from({ length: count }, (_, i) => plain.readDoubleLE(i * 8));
  }

  /** What the journal keeps to tell, at open, whether it is given the key it was written with. */
  keyCheck(): Uint8Array {
    return this.seal(Buffer.from(keyCheckText), Buffer.from('key-check'));
  }

  /** Whether `sealed` (a keyCheck of the file) was made with this key. */
  opensKeyCheck(sealed: Uint8Array): boolean {
    try {
      return this.open(sealed, Buffer.from('key-check')).toString() === keyCheckText;
    } catch {
      return false;
    }
  }

  private nextIv(): Buffer {
    if (this.poolAt + ivBytes > this.pool.length) {
      this.pool = randomFillSync(Buffer.allocUnsafe(ivBytes * 4096));
      this.poolAt = 0;
    }
    const iv = this.pool.subarray(this.poolAt, this.poolAt + ivBytes);
    this.poolAt += ivBytes;
    return iv;
  }
}

/** The buffer cannot be read with the key given (or without one): start-up stops with what to do. */
export class BufferKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BufferKeyError';
  }
}

/** Associated data of a row: its table, series and first timestamp (8 bytes each). */
export function rowAad(table: 'sample' | 'minute' | 'event', series: number, timestamp: number): Buffer {
  const aad = Buffer.allocUnsafe(17);
  aad.writeUInt8(table === 'sample' ? 1 : table === 'minute' ? 2 : 3, 0);
  aad.writeDoubleLE(series, 1);
  aad.writeDoubleLE(timestamp, 9);
  return aad;
}

/**
 * A key as the file or variable holds it: 32 bytes in base64 (44 characters) or hex (64),
 * surrounding whitespace ignored. Undefined and a problem when it is neither.
 */
export function parseBufferKey(text: string): { key: Buffer } | { problem: string } {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return { key: Buffer.from(trimmed, 'hex') };
  if (/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) return { key: Buffer.from(trimmed, 'base64') };
  return { problem: 'not a 32-byte key in base64 (44 characters) or hex (64); make one with: openssl rand -base64 32' };
}

type Cell = number | bigint | string | Uint8Array | null;
/** A row as node:sqlite returns it. */
type Row = Record<string, unknown>;

/** A compacted minute's figures, the part of a `minutes` row that is sealed. */
export interface MinuteFigures {
  min: number;
  max: number;
  sum: number;
  last: number;
  worstQuality: number;
}

/**
 * How the journal's rows hold what they hold: as plain columns, or (with a cipher) sealed
 * into the first figure column, the others zero. A row written before the buffer was
 * encrypted still reads (its figure is a number, not a sealed blob), so turning encryption
 * on needs no draining first.
 */
export class RowCodec {
  readonly cipher: JournalCipher | undefined;

  constructor(cipher?: JournalCipher) {
    this.cipher = cipher;
  }

  /** The `value` and `quality` columns of a sample. */
  sampleCells(series: number, ts: number, value: number, quality: number): [Cell, number] {
    if (!this.cipher) return [value, quality];
    return [this.cipher.sealNumbers([value, quality], rowAad('sample', series, ts)), 0];
  }

  sample(row: Row): { value: number; quality: number } {
    if (!(row.value instanceof Uint8Array)) return { value: Number(row.value), quality: Number(row.quality) };
    const [value, quality] = this.requireCipher().openNumbers(row.value, 2, rowAad('sample', Number(row.series), Number(row.ts)));
    return { value: value as number, quality: quality as number };
  }

  /** The `min, max, sum, last, worst_quality` columns of a minute. */
  minuteCells(series: number, firstTs: number, f: MinuteFigures): [Cell, number, number, number, number] {
    if (!this.cipher) return [f.min, f.max, f.sum, f.last, f.worstQuality];
    return [this.cipher.sealNumbers([f.min, f.max, f.sum, f.last, f.worstQuality], rowAad('minute', series, firstTs)), 0, 0, 0, 0];
  }

  minute(row: Row): MinuteFigures {
    if (!(row.min instanceof Uint8Array))
      return {
        min: Number(row.min),
        max: Number(row.max),
        sum: Number(row.sum),
        last: Number(row.last),
        worstQuality: Number(row.worst_quality),
      };
    const [min, max, sum, last, worstQuality] = this.requireCipher().openNumbers(
      row.min,
      5,
      rowAad('minute', Number(row.series), Number(row.first_ts)),
    ) as [number, number, number, number, number];
    return { min, max, sum, last, worstQuality };
  }

  /** The `data` column of an event: its JSON. */
  eventCell(time: number, json: string): Cell {
    return this.cipher ? this.cipher.seal(Buffer.from(json), rowAad('event', 0, time)) : json;
  }

  eventJson(row: Row): string {
    if (!(row.data instanceof Uint8Array)) return String(row.data);
    return this.requireCipher()
      .open(row.data, rowAad('event', 0, Number(row.time)))
      .toString();
  }

  private requireCipher(): JournalCipher {
    if (!this.cipher) throw new BufferKeyError('the buffer holds encrypted rows and no key was given');
    return this.cipher;
  }
}
