import { z } from 'zod';

const Env = z.object({
  /**
   * How many tags' newest samples one validate process keeps (each a few hundred bytes to
   * 1.5 KB, by how far its rule looks back). Beyond it, the least recently seen tags are read
   * back from Redis when they next report: bounded memory, at some speed.
   */
  VALIDATE_RECENT_TAGS: z.coerce.number().int().min(0).default(50_000),
});

export function validateSettings(env: Record<string, string | undefined>): { recentTags: number } {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new Error(`VALIDATE_RECENT_TAGS must be a whole number of tags, 0 or more (got "${env.VALIDATE_RECENT_TAGS}")`);
  }
  return { recentTags: parsed.data.VALIDATE_RECENT_TAGS };
}
