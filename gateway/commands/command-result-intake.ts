import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CommandResult } from '#contracts';
import type { AssetIndex } from '../../config/asset-registry.ts';
import { decodeEvent } from '../../runtime/envelope.ts';
import { formatIssues } from '../../runtime/schema.ts';
import type { EdgeSite } from '../status/edge-status.ts';
import { recordCommandResult } from './command-result-log.ts';

/** One message of scada.commands.results, as a Kafka consumer or the memory bus hands it over. */
export interface CommandResultRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  value: Uint8Array | string | null;
}

export type IntakeOutcome = 'recorded' | 'unreadable' | 'unknown-tenant';

export interface CommandResultIntake {
  /** Rejects only when Redis did not take it: the caller redelivers. */
  take(record: CommandResultRecord): Promise<IntakeOutcome>;
}

/**
 * The gateway's reading of scada.commands.results: each result is filed under the
 * tenant of its device (the asset registry), or of its site (GATEWAY_EDGE_ADAPTERS)
 * when the command was too malformed to name a device. What cannot be read or placed
 * is logged and passed over: the topic belongs to the edge adapters, and its audit
 * copy is on system.audit-log anyway.
 */
export function commandResultIntake(deps: {
  redis: Redis;
  assets: AssetIndex;
  edgeSites: readonly EdgeSite[];
  log: Logger;
}): CommandResultIntake {
  const log = deps.log.child({ component: 'command-results' });
  return {
    async take(record) {
      const where = { topic: record.topic, partition: record.partition, offset: record.offset };
      const decoded = decodeEvent(record.value, where);
      if (!decoded.ok) {
        log.warn({ ...where, reason: decoded.reason }, 'unreadable command result; skipped');
        return 'unreadable';
      }
      const parsed = CommandResult.safeParse(decoded.event.data);
      if (!parsed.success) {
        log.warn({ ...where, reason: formatIssues(parsed.error.issues) }, 'command result does not match the contract; skipped');
        return 'unreadable';
      }
      const result = parsed.data;
      const tenantId =
        (result.deviceId ? deps.assets.placementOf(result.deviceId)?.tenantId : undefined) ??
        deps.edgeSites.find((s) => s.site === result.siteId)?.tenantId;
      if (!tenantId) {
        log.warn(
          { ...where, commandId: result.commandId, deviceId: result.deviceId, siteId: result.siteId },
          'command result of a device and site this gateway does not know; skipped',
        );
        return 'unknown-tenant';
      }
      await recordCommandResult(deps.redis, tenantId, result);
      return 'recorded';
    },
  };
}
