import type { z } from '@hono/zod-openapi';

/**
 * A row of a table another module owns (persist's), checked: one that no longer reads as
 * expected says which column, instead of becoming a wrong answer.
 */
export function tableRow<T extends z.ZodType>(table: string, schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw new Error(`${table} row does not read as expected (${issues}): has its migration changed?`);
}
