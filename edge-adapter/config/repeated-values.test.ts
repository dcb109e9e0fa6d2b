import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { reportRepeats } from './repeated-values.ts';

const issuesOf = (items: { id: string; key?: string }[], counts?: (item: { id: string }, index: number) => boolean) =>
  z
    .array(z.object({ id: z.string(), key: z.string().optional() }))
    .superRefine((list, ctx) =>
      reportRepeats(
        ctx,
        list,
        { listPath: 'tags', field: 'key' },
        (t) => t.key ?? t.id,
        (key, first) => `tags.${first} already has the key ${key}`,
        counts,
      ),
    )
    .safeParse(items)
    .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('reportRepeats', () => {
  it('reports each repeat at its own path, naming the first item that had the value', () => {
    expect(issuesOf([{ id: 'a' }, { id: 'b', key: 'a' }, { id: 'c' }, { id: 'a' }])).toEqual([
      'tags.1.key: tags.0 already has the key a',
      'tags.3.key: tags.0 already has the key a',
    ]);
  });

  it('neither reports nor remembers the items it is told not to count', () => {
    expect(issuesOf([{ id: 'a' }, { id: 'a' }, { id: 'b', key: 'a' }], (_, index) => index !== 0)).toEqual([
      'tags.2.key: tags.1 already has the key a',
    ]);
  });
});
