import { z } from 'zod';
import { Identifier } from '#contracts';

/**
 * What a client sends on /v1/live. Rooms are seed 001's names; `deviceIds` narrows a
 * room to some devices; `after` resumes from the last event seen before a reconnect.
 */
export const ClientMessage = z.discriminatedUnion('op', [
  z
    .object({
      op: z.literal('subscribe'),
      room: z.string().min(1).max(200),
      deviceIds: z.array(Identifier).min(1).max(500).optional(),
      after: z
        .object({ epoch: z.string().min(1).max(64), seq: z.number().int().nonnegative() })
        .strict()
        .optional(),
    })
    .strict(),
  z.object({ op: z.literal('unsubscribe'), room: z.string().min(1).max(200) }).strict(),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/** What the gateway sends besides room events (`{ room, seq, type, data }`). */
export type ControlMessage =
  | { type: 'welcome'; serverTime: number; keepAliveMs: number; principal: { id: string; role: string; tenantId: string } }
  | { type: 'subscribed'; room: string; epoch: string; seq: number; replayed: number; resync: boolean }
  | { type: 'unsubscribed'; room: string }
  | { type: 'resync'; room: string; reason: string }
  | { type: 'keep-alive'; serverTime: number }
  | { type: 'error'; room?: string; error: string };
