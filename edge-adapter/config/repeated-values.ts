import type { z } from 'zod';

/**
 * Reports each item of `list` whose value (`keyOf`) an earlier item already has, at
 * `<listPath>.<index>.<field>`, with the message `say(value, firstIndex)`. Items for which
 * `counts` is false are neither reported nor remembered (a key checked only when its id is new).
 */
export function reportRepeats<T>(
  ctx: z.RefinementCtx,
  list: readonly T[],
  where: { listPath: string; field: string },
  keyOf: (item: T) => string,
  say: (value: string, first: number) => string,
  counts: (item: T, index: number) => boolean = () => true,
): void {
  const first = new Map<string, number>();
  list.forEach((item, index) => {
    if (!counts(item, index)) return;
    const value = keyOf(item);
    const earlier = first.get(value);
    if (earlier === undefined) first.set(value, index);
    else ctx.addIssue({ code: 'custom', path: [where.listPath, index, where.field], message: say(value, earlier) });
  });
}

/** "duplicate tag id X (first at tags.N)": every kind of device says it so of its tags. */
export function reportRepeatedTagIds(ctx: z.RefinementCtx, tags: readonly { id: string }[]): void {
  reportRepeats(
    ctx,
    tags,
    { listPath: 'tags', field: 'id' },
    (t) => t.id,
    (id, first) => `duplicate tag id ${id} (first at tags.${first})`,
  );
}
