/**
 * A page of `limit` rows from a query that read `limit + 1`: the extra row only says that
 * another page exists, which starts after the last row shown (its sort key, `positionOf`).
 */
export function keysetPage<T, P>(rows: readonly T[], limit: number, positionOf: (row: T) => P): { page: T[]; next: P | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, next: rows.length > limit && last !== undefined ? positionOf(last) : null };
}
