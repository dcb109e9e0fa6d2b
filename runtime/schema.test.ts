import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validate } from './schema.ts';

/** A schema whose checks are asynchronous (a lookup, say): Standard Schema allows it. */
const eventually: StandardSchemaV1<unknown, number> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: async (value) => (typeof value === 'number' ? { value } : { issues: [{ message: 'expected a number', path: ['reading'] }] }),
  },
};

describe('validate', () => {
  it('answers a synchronous schema without a promise (it runs once per event)', () => {
    const result = validate(z.object({ n: z.number() }), { n: 1 });
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual({ ok: true, value: { n: 1 } });
    expect(validate(z.object({ n: z.number() }), { n: 'x' })).toMatchObject({ ok: false, message: expect.stringContaining('n:') });
  });

  it('awaits an asynchronous schema, and reports its issues with their paths', async () => {
    await expect(validate(eventually, 3)).resolves.toEqual({ ok: true, value: 3 });
    await expect(validate(eventually, 'three')).resolves.toEqual({ ok: false, message: 'reading: expected a number' });
  });
});
