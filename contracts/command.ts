import { z } from 'zod';
import { Identifier } from './telemetry.ts';

const EpochMillis = z.number().int().nonnegative().describe('epoch milliseconds (UTC)');

/**
 * The roles of seed 004's RBAC table. Only some of them may ever write to a device;
 * which ones is the edge adapter's configuration, per tag.
 */
export const Role = z.enum(['admin', 'supervisor', 'operator', 'viewer', 'scada']);
export type Role = z.infer<typeof Role>;

/** Who asked: the gateway authenticates the user and states their role. */
export const Requester = z
  .object({
    userId: z.string().min(1).max(128),
    role: Role,
  })
  .strict();
export type Requester = z.infer<typeof Requester>;

/**
 * A request to write one setpoint, on `scada.commands` (seed 000), keyed by device id.
 * The edge adapter of `siteId` decides whether to apply it; every decision is answered
 * on `scada.commands.results` and recorded on `system.audit-log`.
 */
export const Command = z
  .object({
    commandId: Identifier,
    timestamp: EpochMillis.describe('when the command was requested'),
    siteId: Identifier,
    deviceId: Identifier,
    tagId: Identifier,
    value: z.number().finite().describe('engineering units; 0 or 1 for a boolean tag'),
    requestedBy: Requester,
    reason: z.string().max(500).optional(),
    expiresAt: EpochMillis.optional().describe('not to be applied after this instant'),
  })
  .strict();
export type Command = z.infer<typeof Command>;

export const CommandStatus = z.enum(['applied', 'refused', 'failed']);
export type CommandStatus = z.infer<typeof CommandStatus>;

/** Why a command ended as it did: one code per guard rail, so a UI can explain it. */
export const CommandOutcomeCode = z.enum([
  'applied',
  'invalid',
  'expired',
  'commands-disabled',
  'unknown-device',
  'tag-not-writable',
  'role-not-permitted',
  'out-of-range',
  'not-representable',
  'write-failed',
]);
export type CommandOutcomeCode = z.infer<typeof CommandOutcomeCode>;

/** The answer to one command, on `scada.commands.results`, keyed by device id (site id when unknown). */
export const CommandResult = z
  .object({
    commandId: Identifier,
    timestamp: EpochMillis.describe('when the edge adapter decided'),
    siteId: Identifier,
    deviceId: Identifier.optional().describe('absent only when the command was too malformed to name it'),
    tagId: Identifier.optional(),
    value: z.number().finite().optional(),
    status: CommandStatus,
    code: CommandOutcomeCode,
    reason: z.string().max(1000),
    requestedBy: Requester.optional(),
  })
  .strict();
export type CommandResult = z.infer<typeof CommandResult>;
