import { Quality } from '../../contracts/quality.ts';

export type TimestampFormat = 'auto' | 'epoch-ms' | 'epoch-s' | 'iso8601';

/** A reading as a number: numbers, booleans as 1/0, and numeric text ("12.5"), which many transmitters send. */
export function numberOf(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'string' && raw.trim() !== '') {
    const n = Number(raw.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * A device's timestamp as epoch milliseconds. `auto` tells seconds from milliseconds by
 * size (below 10^11 is seconds: milliseconds that small would be 1973) and reads text as
 * ISO 8601. Whether the clock is right is validate's to judge (clock skew), not ours.
 */
export function timestampOf(raw: unknown, format: TimestampFormat): number | undefined {
  let ms: number | undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : undefined;
  if (format === 'iso8601' || (format === 'auto' && n === undefined)) {
    ms = typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : undefined;
  } else if (n !== undefined) {
    ms = format === 'epoch-s' || (format === 'auto' && n < 1e11) ? n * 1000 : n;
  }
  return ms !== undefined && Number.isFinite(ms) && ms >= 0 ? Math.round(ms) : undefined;
}

/** A quality field: an OPC DA quality byte, true/false, or good / uncertain / bad (any case). */
export function qualityOf(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) && raw >= 0 && raw <= 255 ? raw : undefined;
  if (typeof raw === 'boolean') return raw ? Quality.GOOD : Quality.BAD;
  if (typeof raw === 'string') {
    const word = raw.trim().toLowerCase();
    if (word === 'good') return Quality.GOOD;
    if (word === 'uncertain') return Quality.UNCERTAIN;
    if (word === 'bad') return Quality.BAD;
  }
  return undefined;
}
