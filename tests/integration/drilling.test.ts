import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Alarm, DrillingCalculation, TelemetryValidated } from '#contracts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { type FunctionProcess, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, type TopicMessage } from '../support/kafka.ts';
import { createTestTenant } from '../support/test-tenant.ts';

/**
 * drilling and alarm on the kafka host, as deployed: real Kafka and Redis. A rig's validated
 * telemetry goes in — drilling in balance, then a gain (flow out 100 gpm over flow in, the pits
 * rising) — and out come, through the broker, the rig's kick_detected sample, the CRITICAL alarm
 * the alarm function raises from it by its lifecycle, and the well-control and torque-and-drag
 * results on drilling.calculations. The run has its own tenant, well and rig.
 */
const { kafkaBrokers, redisUrl } = inject('services');

let kafka: TestKafka;
let functions: FunctionProcess;
let tenant: string;
let well: string;
let rig: string;
const t0 = Date.now() - 3_600_000;

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  const run = await createTestTenant({ databaseUrl: inject('services').databaseUrl, prefix: 'drilling' });
  tenant = run.tenant;
  well = `w-${run.id}-rig`;
  rig = `rig-${run.id}`;
  writeFileSync(
    join(run.configDir, 'assets.yaml'),
    `tenants: [{ id: ${tenant}, name: Test }]
fields: [{ id: f-${run.id}, name: Field, tenantId: ${tenant} }]
wells: [{ id: ${well}, name: Rig well, fieldId: f-${run.id}, kind: drilling }]
devices: [{ id: ${rig}, wellId: ${well} }]
`,
  );
  writeFileSync(
    join(run.configDir, 'alarm-rules.yaml'),
    `rules:
  - { tagId: kick_detected, devices: ["rig-*"], limits: { HH: 0.5 }, severities: { HH: CRITICAL } }
  - { tagId: losses_detected, devices: ["rig-*"], limits: { HH: 0.5 }, severities: { HH: CRITICAL } }
`,
  );
  // A 45° slant below 2,000 ft: friction shows in every mode.
  writeFileSync(
    join(run.configDir, 'well-models.yaml'),
    `wells:
  - wellId: ${well}
    drilling:
      deviceId: ${rig}
      bitDiameterIn: 8.5
      wellControl: { windowSeconds: 300, pitGainKickBbl: 10, flowGainKickGpm: 50, flowConfirmSeconds: 30, publishEverySeconds: 10 }
      torqueDrag:
        mudWeightPpg: 10
        frictionFactor: 0.25
        blockWeightKlbf: 78.7
        everySeconds: 10
        sections:
          - { name: collars, lengthFt: 500, weightLbPerFt: 147, odIn: 8, idIn: 2.8125 }
          - { name: drill pipe, weightLbPerFt: 19.5, odIn: 5, idIn: 4.276, toolJointOdIn: 6.625 }
        survey:
          - { mdFt: 0, inclinationDeg: 0, azimuthDeg: 0 }
          - { mdFt: 2000, inclinationDeg: 0, azimuthDeg: 0 }
          - { mdFt: 4000, inclinationDeg: 45, azimuthDeg: 90 }
          - { mdFt: 12000, inclinationDeg: 45, azimuthDeg: 90 }
`,
  );
  const inputs = ['scada.telemetry.validated', 'scada.alarm-actions'];
  await kafka.createTopics([...inputs, ...inputs.map((t) => `${t}.dlq`), 'scada.alarms', 'drilling.calculations'], 3);
  functions = await startFunctionProcess({
    dir: ['functions/drilling', 'functions/alarm'].map((d) => join(repoRoot, d)),
    name: `drilling-${run.id}`,
    env: { FLOWLINE_HOST: 'kafka', KAFKA_BROKERS: kafkaBrokers, REDIS_URL: redisUrl, FLOWLINE_CONFIG_DIR: run.configDir },
  });
  await functions.ready(90_000);
}, 180_000);

afterAll(async () => {
  await functions?.stop();
  await kafka?.close();
});

/** One poll of the rig `seconds` after t0: drilling at 8,000 ft with 600 gpm in. */
function poll(seconds: number, flowOut: number, pit: number): { key: string; data: TelemetryValidated }[] {
  const values: [string, number][] = [
    ['mud_pit_volume', pit],
    ['mud_flow_in', 600],
    ['mud_flow_out', flowOut],
    ['bit_depth', 8_000],
    ['hole_depth', 8_000],
    ['hook_load', 180],
    ['rotary_speed', 120],
    ['surface_torque', 12],
  ];
  const at = t0 + seconds * 1000;
  return values.map(([tagId, value]) => ({
    key: rig,
    data: {
      timestamp: at,
      deviceId: rig,
      tagId,
      value,
      quality: 192,
      sourceProtocol: 'OPCUA',
      status: 'good',
      flags: [],
      tenantId: tenant,
      wellId: well,
      receivedAt: at,
    },
  }));
}

const ofRig = (m: TopicMessage) => m.key === rig || m.key === well;
const dataOf = <T>(m: TopicMessage) => (JSON.parse(m.value) as { data: T }).data;

describe('drilling on the kafka host', () => {
  it('a gain while drilling: kick_detected through the broker, a CRITICAL alarm raised by the alarm function, results on drilling.calculations', async () => {
    // In balance for 100 s, then 100 gpm more out than in, the pits gaining 2.38 bbl/min, for 3 minutes.
    const polls = [];
    for (let t = 0; t <= 280; t += 10) {
      const gain = (Math.max(0, t - 100) / 60) * (100 / 42);
      polls.push(...poll(t, t > 100 ? 700 : 600, 500 + gain));
    }
    await kafka.produce('scada.telemetry.validated', polls);

    const [raised] = await kafka.readMatching(
      'scada.alarms',
      (m) => m.key === rig && dataOf<Alarm>(m).tagId === 'kick_detected',
      1,
      60_000,
    );
    expect(dataOf<Alarm>(raised as TopicMessage)).toMatchObject({
      alarmId: `${rig}.kick_detected.HH`,
      tenantId: tenant,
      wellId: well,
      severity: 'CRITICAL',
      condition: 'HH',
      transition: 'raised',
      state: 'UNACK_ACTIVE',
      value: 1,
    });
    const samples = await kafka.readMatching(
      'scada.telemetry.validated',
      (m) => m.key === rig && ['kick_detected', 'losses_detected'].includes(dataOf<TelemetryValidated>(m).tagId),
      3,
      30_000,
    );
    // 0 and 0 on the first poll, then 1 for the kick.
    expect(samples.map((m) => `${dataOf<TelemetryValidated>(m).tagId}=${dataOf<TelemetryValidated>(m).value}`).sort()).toEqual([
      'kick_detected=0',
      'kick_detected=1',
      'losses_detected=0',
    ]);

    const results = (await kafka.readMatching('drilling.calculations', ofRig, 10, 30_000)).map((m) => dataOf<DrillingCalculation>(m));
    const wellControl = results.filter((r) => r.kind === 'well-control');
    const torqueDrag = results.filter((r) => r.kind === 'torque-drag');
    expect(wellControl.length).toBeGreaterThan(0);
    expect(torqueDrag.length).toBeGreaterThan(0);
    expect(torqueDrag[0]).toMatchObject({ wellId: well, tenantId: tenant, bitDepthFt: 8_000, activity: 'drilling', frictionFactor: 0.25 });
    const loads = torqueDrag[0] as Extract<DrillingCalculation, { kind: 'torque-drag' }>;
    // Pick-up over rotating over slack-off in a deviated hole; all above the block's 78.7 klbf.
    expect(loads.hookLoadTrippingOutKlbf).toBeGreaterThan(loads.hookLoadRotatingKlbf);
    expect(loads.hookLoadRotatingKlbf).toBeGreaterThan(loads.hookLoadTrippingInKlbf);
    expect(loads.hookLoadTrippingInKlbf).toBeGreaterThan(78.7);
    expect(loads.torqueRotatingKftLbf).toBeGreaterThan(0);
    const kicked = await kafka.readMatching(
      'drilling.calculations',
      (m) =>
        ofRig(m) && dataOf<DrillingCalculation>(m).kind === 'well-control' && (dataOf<DrillingCalculation>(m) as { kick: boolean }).kick,
      1,
      30_000,
    );
    expect(dataOf<DrillingCalculation>(kicked[0] as TopicMessage)).toMatchObject({
      kind: 'well-control',
      kick: true,
      losses: false,
      flowDeltaGpm: 100,
    });
  }, 120_000);
});
