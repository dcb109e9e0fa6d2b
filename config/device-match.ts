/**
 * Which devices a rule applies to: exact ids or globs with `*` (`rtu-*`). The most
 * specific match wins: an exact id over a glob, a longer glob over a shorter one.
 */
export function deviceMatchScore(patterns: readonly string[], deviceId: string): number {
  let best = -1;
  for (const pattern of patterns) {
    if (pattern === deviceId) return Number.MAX_SAFE_INTEGER;
    if (!pattern.includes('*')) continue;
    const regex = new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`);
    if (regex.test(deviceId)) best = Math.max(best, pattern.replaceAll('*', '').length);
  }
  return best;
}

const escapeRegex = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** The rule for (device, tag) among rules with `tagId` and `devices` patterns, or undefined. */
export function mostSpecific<R extends { tagId: string; devices: readonly string[] }>(
  rules: readonly R[],
  deviceId: string,
  tagId: string,
): R | undefined {
  let chosen: R | undefined;
  let score = -1;
  for (const rule of rules) {
    if (rule.tagId !== tagId) continue;
    const s = deviceMatchScore(rule.devices, deviceId);
    if (s > score) {
      score = s;
      chosen = rule;
    }
  }
  return chosen;
}
