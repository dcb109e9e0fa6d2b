import { z } from 'zod';
import { Writable } from './writable.ts';

/**
 * What every tag has whatever its protocol: the conversion to engineering units
 * (published value = raw × scale + offset; writes apply the inverse), its unit and
 * description, and whether commands may write it.
 */
export const engineeringFields = {
  scale: z
    .number()
    .finite()
    .refine((s) => s !== 0, 'scale must not be 0')
    .default(1),
  offset: z.number().finite().default(0),
  unit: z.string().max(32).optional(),
  description: z.string().max(200).optional(),
  writable: Writable.optional(),
};

/** Engineering units as published → the device's own units (the inverse of scale and offset), for writes. */
export function toDeviceUnits(value: number, tag: { scale: number; offset: number }): number {
  const raw = (value - tag.offset) / tag.scale;
  // A whole number that scaling blurred by float noise is still meant whole.
  return Math.abs(raw - Math.round(raw)) < 1e-9 * Math.max(1, Math.abs(raw)) ? Math.round(raw) : raw;
}
