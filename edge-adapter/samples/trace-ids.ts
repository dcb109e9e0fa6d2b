import { randomBytes } from 'node:crypto';

/**
 * W3C traceparents for a batch of events, from one call to the random generator: a
 * fresh trace per sample (it starts at the edge), at a fraction of the cost of two
 * crypto calls per event, which dominated encoding at tens of thousands of samples/s.
 */
export function traceparents(count: number): string[] {
  const bytes = randomBytes(24 * count).toString('hex');
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const at = i * 48;
    out[i] = `00-${bytes.slice(at, at + 32)}-${bytes.slice(at + 32, at + 48)}-01`;
  }
  return out;
}
