import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Gateway } from '../../../gateway/app.ts';
import { hashPassword } from '../../../gateway/auth/password-hash.ts';
import { createEmbeddedGateway } from '../../../gateway/embedded.ts';
import { repoRoot, stateDir } from '../../../local-dev/services/paths.ts';
import { loadFunction } from '../../../runtime/load-function.ts';
import { type Db, openDb } from '../../../runtime/resources/db.ts';
import { openRedis } from '../../../runtime/resources/redis.ts';
import { toOutbound } from '../../../runtime/settle.ts';
import { createTestBed, type TestBed } from '../../../runtime/testing.ts';

export interface Device {
  id: string;
  wellId: string;
  running: boolean;
  /** What its tubing pressure reads now (psi). */
  tubingPressure: number;
  /** Whether its ESP drive reports a trip (esp_tripped 1): the well-status rules then call the well down. */
  espTripped: boolean;
}

/** A rig drilling its well: 600 gpm in balance at 8,000 ft, unless it takes a kick (100 gpm more out, the pits gaining). */
export interface Rig {
  id: string;
  wellId: string;
  kick: boolean;
}

export interface ConsolePipeline {
  url: string;
  tenantId: string;
  fieldId: string;
  /** The field's separator: its oil_rate stands in for the field's fiscal (sales) meter. */
  separatorId: string;
  devices: [Device, Device];
  rig: Rig;
  password: string;
  gateway: Gateway;
  bed: TestBed;
  stop(): Promise<void>;
}

/**
 * The pipeline behind the console, as `npm start` runs it: validate, alarm, notify, persist, well-status, daily-production,
 * well-test, drilling and calc on the memory host, a real Redis, an embedded PostgreSQL, the gateway over HTTP and
 * WebSocket; two RTUs and a rig publish raw samples twice a second until told to stop. Ids are
 * fresh per run, so the Redis may be shared.
 */
export async function startConsolePipeline(redisUrl: string): Promise<ConsolePipeline> {
  const id = randomUUID().slice(0, 8);
  const tenantId = `e2e-${id}`;
  const devices: [Device, Device] = [
    { id: `rtu-${id}-a`, wellId: `well-${id}-a`, running: true, tubingPressure: 900, espTripped: false },
    { id: `rtu-${id}-b`, wellId: `well-${id}-b`, running: true, tubingPressure: 950, espTripped: false },
  ];
  const rig: Rig = { id: `rig-${id}`, wellId: `well-${id}-rig`, kick: false };
  const configDir = join(stateDir, 'tmp', `e2e-${id}`);
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, 'assets.yaml'),
    `tenants: [{ id: ${tenantId}, name: E2E Energy }]
fields:
  - { id: field-${id}, name: Campo E2E, tenantId: ${tenantId} }
  - { id: field-${id}-rig, name: Campo E2E rig, tenantId: ${tenantId} }
wells:
  - { id: ${devices[0].wellId}, name: Norte-A, fieldId: field-${id} }
  - { id: ${devices[1].wellId}, name: Norte-B, fieldId: field-${id} }
  # The rig's well sits in a field of its own: the production reports stay the two wells'.
  - { id: ${rig.wellId}, name: Norte-Rig, fieldId: field-${id}-rig, kind: drilling }
devices:
  - { id: ${devices[0].id}, wellId: ${devices[0].wellId} }
  - { id: ${devices[1].id}, wellId: ${devices[1].wellId} }
  - { id: sep-${id}, fieldId: field-${id} }
  - { id: ${rig.id}, wellId: ${rig.wellId} }
`,
  );
  // Production days of 06:00 New York time (23 hours on 7 March 2026, when the clocks spring forward).
  writeFileSync(
    join(configDir, 'production-accounting.yaml'),
    `# The e2e reports a fixed date in the past: its readings are kept as long as the document allows.
keepReadingsDays: 3660
fields:
  - fieldId: field-${id}
    timeZone: America/New_York
    contractHour: "06:00"
    wells:
      oil: { totalizer: { tagId: oil_total }, rate: { tagId: oil_rate } }
    fiscal:
      oil: { rate: { tagId: oil_rate, deviceId: sep-${id} } }
`,
  );
  // Short stale limits, so a silent RTU turns stale within seconds of the test.
  writeFileSync(
    join(configDir, 'tag-rules.yaml'),
    `tags:
  - { tagId: tubing_pressure, unit: psi, range: { min: 0, max: 5000 }, staleAfterSeconds: 4 }
  - { tagId: casing_pressure, unit: psi, range: { min: 0, max: 5000 }, staleAfterSeconds: 4 }
  - { tagId: esp_tripped, range: { min: 0, max: 1 }, staleAfterSeconds: 4 }
  - { tagId: mud_pit_volume, unit: bbl, range: { min: 0, max: 2000 } }
  - { tagId: mud_flow_in, unit: gpm, range: { min: 0, max: 1500 } }
  - { tagId: mud_flow_out, unit: gpm, range: { min: 0, max: 1500 } }
  - { tagId: bit_depth, unit: ft, range: { min: 0, max: 40000 } }
  - { tagId: hole_depth, unit: ft, range: { min: 0, max: 40000 } }
  - { tagId: hook_load, unit: klbf, range: { min: 0, max: 1500 } }
  - { tagId: rotary_speed, unit: rpm, range: { min: 0, max: 300 } }
  - { tagId: surface_torque, unit: kft.lbf, range: { min: 0, max: 60 } }
`,
  );
  writeFileSync(
    join(configDir, 'alarm-rules.yaml'),
    `flood: { maxRaisedPerMinute: 100 }
rules:
  - { tagId: tubing_pressure, unit: psi, limits: { HH: 1450, H: 1200 }, deadband: 25 }
  - { tagId: kick_detected, devices: ["rig-*"], limits: { HH: 0.5 }, severities: { HH: CRITICAL } }
`,
  );
  // No hold time: a trip is the well's status from the first sample that shows it.
  writeFileSync(
    join(configDir, 'well-status-rules.yaml'),
    `profiles:
  - id: e2e-esp
    kinds: [oil]
    holdSeconds: { default: 0 }
    rules:
      - { status: down, reason: esp-trip, when: { tagId: esp_tripped, above: 0.5 } }
    otherwise: { status: producing }
`,
  );
  // The rig's kick watch on short windows, so a kick shows within seconds; a deviated well for torque and drag.
  writeFileSync(
    join(configDir, 'well-models.yaml'),
    `wells:
  # Well A lifts by ESP: calc draws its lift curve and finds its operating point from a completed test.
  - wellId: ${devices[0].wellId}
    fluids: { oilApiGravity: 32, waterSpecificGravity: 1.05, waterCutFraction: 0.5, liquidViscosityCp: 1.5 }
    completion: { perforationDepthFtTvd: 4900, measuredDepthFt: 5100, tubingInnerDiameterIn: 2.441, wellheadPressurePsig: 150 }
    esp:
      deviceId: ${devices[0].id}
      pumpDepthFtTvd: 4300
      designDifferentialPressurePsi: 1750
      motor: { ratedPowerHp: 150, ratedVoltageV: 2300, ratedCurrentA: 42, powerFactor: 0.85, efficiencyFraction: 0.9 }
  - wellId: ${rig.wellId}
    drilling:
      deviceId: ${rig.id}
      bitDiameterIn: 8.5
      wellControl: { windowSeconds: 20, flowConfirmSeconds: 2, pumpTransientSeconds: 0, publishEverySeconds: 1 }
      torqueDrag:
        mudWeightPpg: 10
        blockWeightKlbf: 78.7
        everySeconds: 1
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
  // The shipped stabilisation rule: a 30 min window, a reading at least every 5 min.
  cpSync(join(repoRoot, 'config', 'examples', 'well-test-rules.yaml'), join(configDir, 'well-test-rules.yaml'));
  // No notification channels: notify still fans every alarm event out to the live rooms.
  writeFileSync(join(configDir, 'channels.yaml'), 'channels: []\nroutes: []\n');
  process.env.FLOWLINE_CONFIG_DIR = configDir;
  process.env.FLOWLINE_CONFIG_SOURCE = 'files';

  const redis: Redis = await openRedis(redisUrl);
  const db: Db = await openDb('memory://');
  const functions = await Promise.all(
    ['validate', 'alarm', 'notify', 'persist', 'well-status', 'daily-production', 'well-test', 'drilling', 'calc'].map((name) =>
      loadFunction(join(import.meta.dirname, '..', '..', '..', 'functions', name)),
    ),
  );
  const bed = await createTestBed({ functions, redis, db });
  const password = `pw-${randomUUID()}`;
  const passwordHash = await hashPassword(password);
  const { gateway } = await createEmbeddedGateway({
    bus: bed.bus,
    functions: bed.functions,
    send: async (publishes) => bed.bus.publish(publishes.map(toOutbound)),
    redis,
    db,
    registry: bed.metrics.registry,
    log: pino({ level: process.env.LOG_LEVEL ?? 'warn' }),
    users: [
      { username: 'operator', name: 'operator', passwordHash, role: 'operator', tenantId },
      { username: 'supervisor', name: 'supervisor', passwordHash, role: 'supervisor', tenantId },
    ],
    options: { statusIntervalMs: 1_000 },
    // One-minute access tokens: the console refreshes them silently (at 48 s) all through the run.
    accessTokenTtlSeconds: 60,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: gateway.app.fetch, port: 0, hostname: '127.0.0.1', websocket: gateway.websocket }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let tick = 0;
  let pit = 500;
  const feeder = setInterval(() => {
    tick += 1;
    for (const device of devices) {
      if (!device.running) continue;
      const timestamp = Date.now();
      const sample = (tagId: string, value: number) => ({
        timestamp,
        deviceId: device.id,
        tagId,
        value,
        quality: 192,
        sourceProtocol: 'SIMULATOR',
      });
      bed.publish('scada.telemetry.raw', sample('tubing_pressure', device.tubingPressure + (tick % 7) * 1.5), { key: device.id });
      bed.publish('scada.telemetry.raw', sample('casing_pressure', 410 + (tick % 5)), { key: device.id });
      bed.publish('scada.telemetry.raw', sample('esp_tripped', device.espTripped ? 1 : 0), { key: device.id });
    }
    // The rig: while it takes a kick, 100 gpm more comes out than goes in and the pits gain 1 bbl a tick.
    if (rig.kick) pit += 1;
    const timestamp = Date.now();
    const rigSamples: [string, number][] = [
      ['mud_pit_volume', pit],
      ['mud_flow_in', 600],
      ['mud_flow_out', rig.kick ? 700 : 600],
      ['bit_depth', 8_000],
      ['hole_depth', 8_000],
      ['hook_load', 210],
      ['rotary_speed', 120],
      ['surface_torque', 12],
    ];
    for (const [tagId, value] of rigSamples)
      bed.publish(
        'scada.telemetry.raw',
        { timestamp, deviceId: rig.id, tagId, value, quality: 192, sourceProtocol: 'SIMULATOR' },
        { key: rig.id },
      );
  }, 500);

  return {
    url,
    tenantId,
    fieldId: `field-${id}`,
    separatorId: `sep-${id}`,
    devices,
    rig,
    password,
    gateway,
    bed,
    async stop() {
      clearInterval(feeder);
      await gateway.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bed.stop();
      await db.close();
      await redis.quit();
    },
  };
}
