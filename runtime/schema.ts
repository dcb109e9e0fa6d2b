import type { StandardSchemaV1 } from '@standard-schema/spec';

export type Validation = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Validates with any Standard Schema (zod, valibot, …); the message lists the first issues
 * with their paths. Synchronous when the schema is (zod's are): this runs once per event.
 */
export function validate(schema: StandardSchemaV1, value: unknown): Validation | Promise<Validation> {
  const result = schema['~standard'].validate(value);
  return result instanceof Promise ? result.then(toValidation) : toValidation(result);
}

function toValidation(result: StandardSchemaV1.Result<unknown>): Validation {
  if (!result.issues) return { ok: true, value: result.value };
  return { ok: false, message: formatIssues(result.issues) };
}

export function formatIssues(issues: readonly StandardSchemaV1.Issue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
