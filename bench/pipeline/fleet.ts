import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import type { TelemetryRaw } from '#contracts';
import { repoRoot, stateDir } from '../../local-dev/services/paths.ts';

/**
 * The bench's own fleet: one tenant and field, `wells` ESP wells with one RTU each, ten
 * tags per RTU, written as a FLOWLINE_CONFIG_DIR (assets, tag-rules, alarm-rules, channels,
 * well-models) that the five functions read as they would in production. The tag and alarm
 * rules are the examples' (the real checks run on every sample); each well's model is
 * norte-01's, so calc's ESP calculation runs for every well.
 */
export interface Fleet {
  readonly id: string;
  readonly tenant: string;
  readonly field: string;
  readonly devices: readonly string[];
  readonly tags: readonly string[];
  readonly configDir: string;
  /** Devices × tags: the series a paced producer cycles through. */
  readonly series: number;
  /** The `n`th sample of the rotation at `timestamp`: series n mod `series`, a value near its tag's operating point. */
  sample(n: number, timestamp: number): TelemetryRaw;
}

/** Operating points near the simulated wells of `npm start`, inside every example alarm limit. */
const operatingPoints: Record<string, number> = {
  tubing_pressure: 900,
  casing_pressure: 600,
  flowline_temperature: 150,
  oil_rate: 500,
  water_rate: 500,
  gas_rate: 400,
  esp_frequency: 55,
  esp_motor_current: 40,
  esp_intake_pressure: 900,
  esp_discharge_pressure: 2700,
};

/** One well in this many swings its tubing pressure over H (1200) and back: alarms, notify and alarm history get real work. */
const ALARMING_EVERY = 20;

export function createFleet(options: { wells: number }): Fleet {
  const id = randomUUID().slice(0, 8);
  const tenant = `bench-${id}`;
  const field = `f-${id}`;
  const wells = Array.from({ length: options.wells }, (_, i) => `w-${id}-${String(i + 1).padStart(4, '0')}`);
  const devices = wells.map((_, i) => `rtu-${id}-${String(i + 1).padStart(4, '0')}`);
  const tags = Object.keys(operatingPoints);

  const configDir = join(stateDir, 'tmp', `bench-pipeline-${id}`);
  mkdirSync(configDir, { recursive: true });
  const examples = join(repoRoot, 'config', 'examples');
  cpSync(join(examples, 'tag-rules.yaml'), join(configDir, 'tag-rules.yaml'));
  writeFileSync(
    join(configDir, 'assets.yaml'),
    dump({
      tenants: [{ id: tenant, name: 'Bench' }],
      fields: [{ id: field, name: 'Bench field', tenantId: tenant }],
      wells: wells.map((w, i) => ({ id: w, name: `Bench-${i + 1}`, fieldId: field, kind: 'oil' })),
      devices: devices.map((d, i) => ({ id: d, wellId: wells[i] })),
    }),
  );
  // Rounds pause between each other (drain, floors): a stale alarm on every tag at each
  // pause would be the bench's artefact, not load, so the stale conditions are left out.
  const alarmRules = load(readFileSync(join(examples, 'alarm-rules.yaml'), 'utf8')) as { rules: Record<string, unknown>[] };
  alarmRules.rules = alarmRules.rules.map(({ stale: _stale, ...rule }) => rule);
  writeFileSync(join(configDir, 'alarm-rules.yaml'), dump(alarmRules));
  // No channels: notify does its live fan-out and bookkeeping, and sends nothing off the machine.
  writeFileSync(join(configDir, 'channels.yaml'), dump({ channels: [], routes: [] }));
  const models = load(readFileSync(join(examples, 'well-models.yaml'), 'utf8')) as {
    calculation: unknown;
    wells: { wellId: string; esp?: { deviceId: string } }[];
  };
  const template = models.wells[0];
  if (!template?.esp)
    throw new Error('config/examples/well-models.yaml: the first well should be an ESP well (the bench copies its model)');
  writeFileSync(
    join(configDir, 'well-models.yaml'),
    dump({
      calculation: models.calculation,
      wells: wells.map((wellId, i) => ({ ...template, wellId, esp: { ...template.esp, deviceId: devices[i] } })),
    }),
  );

  const series = devices.length * tags.length;
  return {
    id,
    tenant,
    field,
    devices,
    tags,
    configDir,
    series,
    sample(n, timestamp) {
      const s = n % series;
      const device = Math.floor(s / tags.length);
      const tagId = tags[s % tags.length] as string;
      const base = operatingPoints[tagId] as number;
      // A slow ±1 % wave (period 60 s, phase per series) stays under every rate-of-change and
      // spike rule and never freezes; the alarming wells' tubing pressure swings 900 ↔ 1300.
      const phase = ((timestamp / 60_000 + s / series) % 1) * 2 * Math.PI;
      const swing = tagId === 'tubing_pressure' && device % ALARMING_EVERY === 0 ? 200 * (1 + Math.sin(phase)) : 0;
      const value = Math.round((base * (1 + 0.01 * Math.sin(phase)) + swing) * 100) / 100;
      return { timestamp, deviceId: devices[device] as string, tagId, value, quality: 192, sourceProtocol: 'MODBUS' };
    },
  };
}
