/**
 * What persist's storage costs, in rows per second, against PostgreSQL's COPY on the
 * same server and rows, in one run:
 *
 *   persist        insertTelemetry, batches of 500 as its manifest sets: one statement a
 *                  batch, idempotent on (device, tag, ts), daily partitions, 1 min and 1 h
 *                  rollups fed from the inserted rows (5 min spans read the 1 min rollup)
 *   COPY / batch   COPY FROM STDIN of each 500-row batch into a plain table with the same
 *                  columns and natural key (no partitions, no rollups, no idempotency)
 *   COPY / stream  the same rows in one COPY: the floor
 *
 * Each round starts from empty tables; rounds alternate the three. Batches go one after
 * another on one connection, as one persist replica writes them.
 *
 *   node bench/persist-copy.ts [--rows 50000] [--rounds 3] [--batch 500]
 *
 * Uses the local PostgreSQL (started here if absent) and a database of its own, dropped
 * afterwards. Compare the lines of one run, not runs across machines.
 */
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { TelemetryValidated } from '#contracts';
import { migrate } from '../functions/persist/migrate.ts';
import { insertTelemetry } from '../functions/persist/telemetry-store.ts';
import { openDb } from '../runtime/resources/db.ts';
import { ownDatabase } from './own-database.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '500' },
  },
});
const total = Number(values.rows);
const rounds = Number(values.rounds);
const batchSize = Number(values.batch);

const database = await ownDatabase('bench_persist');

// Samples of today, so they land in the daily partitions persist keeps ahead.
const start = Date.now() - total * 10;
const samples: TelemetryValidated[] = Array.from({ length: total }, (_, i) => ({
  timestamp: start + i * 10,
  deviceId: `rtu-${i % 50}`,
  tagId: `tag_${Math.floor(i / 50) % 200}`,
  value: (i % 1000) / 10,
  quality: 192,
  status: 'good',
  flags: [],
  unit: 'psi',
  tenantId: 'bench',
  fieldId: 'field-1',
  wellId: `well-${i % 50}`,
  sourceProtocol: 'MODBUS',
  receivedAt: start + i * 10 + 5,
}));
const batches = Array.from({ length: Math.ceil(total / batchSize) }, (_, i) => samples.slice(i * batchSize, (i + 1) * batchSize));

const copyColumns =
  'device_id, tag_id, ts, value, quality, status, flags, unit, tenant_id, field_id, well_id, source_protocol, received_at';
const text = (v: string | null | undefined) => (v === null || v === undefined ? '\\N' : v);
const copyLine = (s: TelemetryValidated) =>
  [
    s.deviceId,
    s.tagId,
    new Date(s.timestamp).toISOString(),
    String(s.value),
    String(s.quality),
    s.status,
    `{${s.flags.join(',')}}`,
    text(s.unit),
    s.tenantId,
    text(s.fieldId),
    text(s.wellId),
    s.sourceProtocol,
    new Date(s.receivedAt).toISOString(),
  ].join('\t');

async function copy(client: pg.Client, rows: readonly TelemetryValidated[]): Promise<void> {
  const stream = client.query(copyFrom(`COPY telemetry_floor (${copyColumns}) FROM STDIN`));
  await pipeline(
    (async function* () {
      yield `${rows.map(copyLine).join('\n')}\n`;
    })(),
    stream,
  );
}

const db = await openDb(database.url, { poolSize: 1, applicationName: 'persist-bench' });
const raw = new pg.Client({ connectionString: database.url });
try {
  const { flavor } = await migrate(db, {});
  await raw.connect();
  await raw.query('CREATE TABLE telemetry_floor (LIKE telemetry INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)');
  const timed = async (work: () => Promise<void>) => {
    const t = performance.now();
    await work();
    return total / ((performance.now() - t) / 1000);
  };
  const results = { persist: [] as number[], copyBatch: [] as number[], copyStream: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    await raw.query('TRUNCATE telemetry, telemetry_1m, telemetry_1h, telemetry_floor');
    results.persist.push(
      await timed(async () => {
        for (const batch of batches) await insertTelemetry(db, batch, flavor);
      }),
    );
    const stored = Number((await raw.query('SELECT count(*) FROM telemetry')).rows[0]?.count);
    if (stored !== total) throw new Error(`persist stored ${stored} rows of ${total}`);
    results.copyBatch.push(
      await timed(async () => {
        for (const batch of batches) await copy(raw, batch);
      }),
    );
    await raw.query('TRUNCATE telemetry_floor');
    results.copyStream.push(await timed(() => copy(raw, samples)));
    const copied = Number((await raw.query('SELECT count(*) FROM telemetry_floor')).rows[0]?.count);
    if (copied !== total) throw new Error(`COPY stored ${copied} rows of ${total}`);
    const last = (xs: number[]) => Math.round(xs.at(-1) ?? 0).toLocaleString('en-US');
    console.log(
      `round ${round + 1}: persist ${last(results.persist)} rows/s, COPY/batch ${last(results.copyBatch)}, COPY/stream ${last(results.copyStream)}`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const line = (name: string, xs: number[]) =>
    console.log(
      `  ${name.padEnd(14)}${Math.round(median(xs)).toLocaleString('en-US').padStart(10)} rows/s   ${(1e6 / median(xs)).toFixed(1)} µs/row`,
    );
  console.log(`\n${total.toLocaleString('en-US')} rows, batches of ${batchSize}, ${flavor} storage, ${rounds} rounds (median):`);
  line('persist', results.persist);
  line('COPY / batch', results.copyBatch);
  line('COPY / stream', results.copyStream);
} finally {
  await raw.end().catch(() => {});
  await db.close();
  await database.drop();
}
