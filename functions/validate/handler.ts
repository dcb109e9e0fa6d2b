import { TelemetryRaw, type TelemetryValidated } from '#contracts';
import { defineFunction, execOrThrow, PermanentError } from '#runtime';
import { AssetRegistry, indexAssets } from '../../config/asset-registry.ts';
import { loadConfig } from '../../config/load.ts';
import { clockBoundFor, TagRules, tagRuleFor } from '../../config/tag-rules.ts';
import { assess, clockSkewed, historyNeeded } from './assess.ts';
import { currentKey, historyKept, historyKey, memberOf, readNeighbourhood } from './tag-history.ts';

/**
 * scada.telemetry.raw → scada.telemetry.validated. Every sample of a known device
 * passes, marked good, suspect or bad with the reasons; samples from unknown devices
 * are dead-lettered (they belong to no tenant); exact duplicates (same device, tag,
 * timestamp, value and quality, another event) are dropped and counted.
 */
export default defineFunction(
  { 'scada.telemetry.raw': TelemetryRaw },
  {
    setup: async () => ({
      assets: indexAssets(await loadConfig('assets', AssetRegistry)),
      tags: await loadConfig('tag-rules', TagRules),
    }),
    handler: async (event, ctx, { assets, tags }) => {
      const sample = event.data;
      const placement = assets.placementOf(sample.deviceId);
      if (!placement) {
        throw new PermanentError(
          `device "${sample.deviceId}" is not in the asset registry: add it to assets.yaml (or the flowline_config table)`,
        );
      }
      const rule = tagRuleFor(tags, sample.deviceId, sample.tagId);
      const asset = placement.wellId ?? placement.fieldId;
      const enrich = (verdict: Pick<TelemetryValidated, 'status' | 'flags'>, receivedAt: number): TelemetryValidated => ({
        ...sample,
        ...verdict,
        ...(rule?.unit ? { unit: rule.unit } : {}),
        tenantId: placement.tenantId,
        fieldId: placement.fieldId,
        ...(placement.wellId ? { wellId: placement.wellId } : {}),
        receivedAt,
      });

      // A wrong clock must not freeze the tag: such a sample never enters the tag's history
      // (which decides what is newer) nor its current value; it goes on, marked, to be quarantined.
      const clock = clockBoundFor(tags, rule);
      const receivedAt = Date.now();
      if (clockSkewed(sample.timestamp, receivedAt, clock)) {
        ctx.metrics
          .counter('clock_skew_total', 'Samples stamped too far from their arrival (device clock or unit wrong), by device.', ['device'])
          .inc({ device: sample.deviceId });
        ctx.log.debug(
          { deviceId: sample.deviceId, tagId: sample.tagId, timestamp: sample.timestamp, skewMs: sample.timestamp - receivedAt },
          'clock skew: sample kept out of current values and history',
        );
        ctx.metrics.counter('samples_total', 'Samples validated, by status.', ['status']).inc({ status: 'bad' });
        ctx.publish('scada.telemetry.validated', enrich({ status: 'bad', flags: ['clock-skew'] }, receivedAt), { key: sample.deviceId });
        return;
      }
      const history = historyKey(asset, sample.tagId);
      const around = await readNeighbourhood(ctx.redis, history, sample.timestamp, historyNeeded(rule));

      // A redelivery (its first attempt's publish was lost, or not acknowledged): the same
      // verdict again. Re-assessed, it would see the later samples of its own chunk, which the
      // first attempt put in history, and be flagged out-of-order — and alarm skips those.
      const earlier = around.same.find((s) => s.id === event.id && s.s !== undefined);
      if (earlier?.s !== undefined) {
        ctx.metrics.counter('samples_total', 'Samples validated, by status.', ['status']).inc({ status: earlier.s });
        ctx.publish('scada.telemetry.validated', enrich({ status: earlier.s, flags: earlier.f ?? [] }, earlier.r ?? receivedAt), {
          key: sample.deviceId,
        });
        return;
      }
      if (around.same.some((s) => s.id !== event.id && s.v === sample.value && s.q === sample.quality)) {
        ctx.metrics
          .counter('duplicates_dropped_total', 'Exact duplicate samples dropped (same device, tag, timestamp, value, quality).')
          .inc();
        ctx.log.debug({ deviceId: sample.deviceId, tagId: sample.tagId, timestamp: sample.timestamp }, 'exact duplicate dropped');
        return;
      }

      const verdict = assess(sample, rule, around.before, { receivedAt, newerExists: around.newerExists });
      const validated = enrich(verdict, receivedAt);

      const write = ctx.redis
        .multi()
        .zadd(
          history,
          sample.timestamp,
          memberOf({
            t: sample.timestamp,
            v: sample.value,
            q: sample.quality,
            id: event.id,
            s: verdict.status,
            f: verdict.flags,
            r: receivedAt,
          }),
        )
        .zremrangebyrank(history, 0, -(historyKept + 1));
      // The current value is the newest one: a late sample goes to history, not over a fresher value.
      if (!around.newerExists) {
        const current = {
          value: sample.value,
          quality: sample.quality,
          status: verdict.status,
          flags: verdict.flags,
          timestamp: sample.timestamp,
          unit: rule?.unit,
          deviceId: sample.deviceId,
        };
        write.hset(currentKey(asset), sample.tagId, JSON.stringify(current));
        write.publish(`live:well:${asset}`, JSON.stringify({ type: 'telemetry:update', data: validated }));
      }
      await execOrThrow(write, `history and current value of ${sample.deviceId}/${sample.tagId}`);

      ctx.metrics.counter('samples_total', 'Samples validated, by status.', ['status']).inc({ status: verdict.status });
      ctx.publish('scada.telemetry.validated', validated, { key: sample.deviceId });
    },
  },
);
