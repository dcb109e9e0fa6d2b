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

export interface ConsolePipeline {
  url: string;
  tenantId: string;
  fieldId: string;
  /** The field's separator: its oil_rate stands in for the field's fiscal (sales) meter. */
  separatorId: string;
  devices: [Device, Device];
  password: string;
  gateway: Gateway;
  bed: TestBed;
  stop(): Promise<void>;
}

/**
 * The pipeline behind the console, as `npm start` runs it: validate, alarm, notify, persist, well-status, daily-production and well-test
 * on the memory host, a real Redis, an embedded PostgreSQL, the gateway over HTTP and
 * WebSocket; two RTUs publish raw samples twice a second until told to stop. Ids are
 * fresh per run, so the Redis may be shared.
 */
export async function startConsolePipeline(redisUrl: string): Promise<ConsolePipeline> {
  const id = randomUUID().slice(0, 8);
  const tenantId = `e2e-${id}`;
  const devices: [Device, Device] = [
    { id: `rtu-${id}-a`, wellId: `well-${id}-a`, running: true, tubingPressure: 900, espTripped: false },
    { id: `rtu-${id}-b`, wellId: `well-${id}-b`, running: true, tubingPressure: 950, espTripped: false },
  ];
  const configDir = join(stateDir, 'tmp', `e2e-${id}`);
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, 'assets.yaml'),
    `tenants: [{ id: ${tenantId}, name: E2E Energy }]
fields: [{ id: field-${id}, name: Campo E2E, tenantId: ${tenantId} }]
wells:
  - { id: ${devices[0].wellId}, name: Norte-A, fieldId: field-${id} }
  - { id: ${devices[1].wellId}, name: Norte-B, fieldId: field-${id} }
devices:
  - { id: ${devices[0].id}, wellId: ${devices[0].wellId} }
  - { id: ${devices[1].id}, wellId: ${devices[1].wellId} }
  - { id: sep-${id}, fieldId: field-${id} }
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
`,
  );
  writeFileSync(
    join(configDir, 'alarm-rules.yaml'),
    `flood: { maxRaisedPerMinute: 100 }
rules:
  - { tagId: tubing_pressure, unit: psi, limits: { HH: 1450, H: 1200 }, deadband: 25 }
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
  // The shipped stabilisation rule: a 30 min window, a reading at least every 5 min.
  cpSync(join(repoRoot, 'config', 'examples', 'well-test-rules.yaml'), join(configDir, 'well-test-rules.yaml'));
  // No notification channels: notify still fans every alarm event out to the live rooms.
  writeFileSync(join(configDir, 'channels.yaml'), 'channels: []\nroutes: []\n');
  process.env.FLOWLINE_CONFIG_DIR = configDir;
  process.env.FLOWLINE_CONFIG_SOURCE = 'files';

  const redis: Redis = await openRedis(redisUrl);
  const db: Db = await openDb('memory://');
  const functions = await Promise.all(
    ['validate', 'alarm', 'notify', 'persist', 'well-status', 'daily-production', 'well-test'].map((name) =>
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
  }, 500);

  return {
    url,
    tenantId,
    fieldId: `field-${id}`,
    separatorId: `sep-${id}`,
    devices,
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
