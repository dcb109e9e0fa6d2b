import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll } from 'vitest';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import { EdgeConfig } from '../../edge-adapter/config/edge-config.ts';
import { type ResolvedEdgeConfig, resolveEdgeConfig } from '../../edge-adapter/config/load-edge-config.ts';
import { routeNodeOpcuaLogs } from '../../edge-adapter/opcua/opcua-logging.ts';
import type { SinkRecord } from '../../edge-adapter/sinks/sink.ts';
import { stateDir } from '../../local-dev/services/paths.ts';
import { until } from './kafka.ts';

/**
 * A fresh folder for one test file under the project's .flowline/tmp (never $HOME, never
 * /tmp), removed after the file's own clean-up. Call it at the top level of the file.
 */
export function projectTempDir(prefix: string): string {
  const base = join(stateDir, 'tmp');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `${prefix}-`));
  // Registered first, so it runs last: after the file has stopped what used the folder.
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Quiet unless TEST_LOG_LEVEL says otherwise: the edge adapter's own logs, for debugging a test. */
export const testLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
// node-opcua (the simulators' servers too) would print to the console otherwise.
routeNodeOpcuaLogs(testLog);

/** Builds a resolved config from a plain object, as a YAML file would give it. */
export function edgeConfig(raw: Record<string, unknown>, dir: string, env: Record<string, string | undefined> = {}): ResolvedEdgeConfig {
  return resolveEdgeConfig(EdgeConfig.parse(raw), { baseDir: dir, cwd: dir, env: { FLOWLINE_STATE_DIR: join(dir, 'state'), ...env } });
}

/** A sink that keeps everything in memory, as the in-process bus would. */
export function collectingSink() {
  const records: SinkRecord[] = [];
  const samples: TelemetryRaw[] = [];
  return {
    records,
    samples,
    publish: async (batch: SinkRecord[]) => {
      for (const r of batch) {
        records.push(r);
        const event = JSON.parse(String(typeof r.value === 'string' ? r.value : Buffer.from(r.value)));
        if (r.topic.endsWith('telemetry') || r.topic === 'scada.telemetry.raw') samples.push(event.data as TelemetryRaw);
      }
    },
    of: (deviceId: string, tagId: string) => samples.filter((s) => s.deviceId === deviceId && s.tagId === tagId),
    /** Waits until `predicate` holds over the samples so far. */
    waitFor: (what: string, predicate: (all: TelemetryRaw[]) => boolean, timeoutMs = 60_000) =>
      until(async () => predicate(samples) || undefined, what, timeoutMs),
  };
}
