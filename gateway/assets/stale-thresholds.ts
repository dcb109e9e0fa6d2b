import { type AlarmRules, alarmRuleFor } from '../../config/alarm-rules.ts';
import { type TagRules, tagRuleFor } from '../../config/tag-rules.ts';

/**
 * How old a tag's last value may be before the UI must stop showing it as live: the
 * tag's `staleAfterSeconds` (tag-rules), else its stale alarm's `afterSeconds`
 * (alarm-rules), else the default.
 */
export function staleThresholds(
  tagRules: TagRules | undefined,
  alarmRules: AlarmRules | undefined,
  defaultMs: number,
): (deviceId: string, tagId: string) => number {
  return (deviceId, tagId) => {
    const tag = tagRules && tagRuleFor(tagRules, deviceId, tagId)?.staleAfterSeconds;
    if (tag) return tag * 1000;
    const alarm = alarmRules && alarmRuleFor(alarmRules, deviceId, tagId)?.stale?.afterSeconds;
    return alarm ? alarm * 1000 : defaultMs;
  };
}
