import { z } from 'zod';
import { Role } from '../../contracts/command.ts';

/** Roles that may never write, whatever a configuration says: seed 004 makes viewer read-only. */
const readOnlyRoles = new Set<Role>(['viewer']);

export const WriterRoles = z
  .array(Role)
  .min(1)
  .refine((roles) => roles.every((r) => !readOnlyRoles.has(r)), 'viewer is a read-only role (seed 004) and may never write');

/**
 * The allow-list entry of one tag: a tag without `writable` is never written. A command
 * is applied only when its value is within [min, max] (engineering units) and its role
 * is in `roles` (default: the `commands.roles` of the site).
 */
export const Writable = z
  .object({
    min: z.number().finite(),
    max: z.number().finite(),
    roles: WriterRoles.optional(),
  })
  .strict()
  .refine((w) => w.min <= w.max, { message: 'min must not be greater than max', path: ['max'] });
export type Writable = z.infer<typeof Writable>;
