import { type CompactedMinute, type CompactedMinuteValidated, qualityClass, type TelemetryStatus } from '#contracts';
import { PermanentError } from '#runtime';
import type { AssetIndex } from '../../config/asset-registry.ts';
import type { ClockBound, TagRule } from '../../config/tag-rules.ts';
import { clockSkewed } from './assess.ts';

const statusOf: Record<ReturnType<typeof qualityClass>, TelemetryStatus> = { good: 'good', uncertain: 'suspect', bad: 'bad' };

/**
 * A minute the edge compacted during a long outage, placed like a sample (tenant, field,
 * well, unit) and judged by its worst quality. It never enters a tag's history or current
 * value: it is old by nature, and a rollup, not a reading the per-sample checks can judge.
 * An unknown device, or a minute outside the tag's clock bound, can never be stored right:
 * dead-lettered, with what to do.
 */
export function placeCompactedMinute(
  minute: CompactedMinute,
  assets: AssetIndex,
  rule: { rule: TagRule | undefined; clock: ClockBound },
  receivedAt: number,
): CompactedMinuteValidated {
  const placement = assets.placementOf(minute.deviceId);
  if (!placement) {
    throw new PermanentError(
      `device "${minute.deviceId}" is not in the asset registry: add it to assets.yaml (or the flowline_config table), then replay this compacted minute from the dead-letter topic`,
    );
  }
  if (clockSkewed(minute.firstTimestamp, receivedAt, rule.clock) || clockSkewed(minute.lastTimestamp, receivedAt, rule.clock)) {
    throw new PermanentError(
      `compacted minute of ${minute.deviceId}/${minute.tagId} at ${new Date(minute.firstTimestamp).toISOString()} is outside the clock bound ` +
        `(${rule.clock.maxBehindSeconds} s behind, ${rule.clock.maxAheadSeconds} s ahead of now): if the outage was that long, raise ` +
        'clock.maxBehindSeconds in tag-rules and replay it from the dead-letter topic; otherwise the device clock is wrong',
    );
  }
  return {
    ...minute,
    status: statusOf[qualityClass(minute.worstQuality)],
    ...(rule.rule?.unit ? { unit: rule.rule.unit } : {}),
    tenantId: placement.tenantId,
    fieldId: placement.fieldId,
    ...(placement.wellId ? { wellId: placement.wellId } : {}),
    receivedAt,
  };
}
