/**
 * What a production day costs daily-production on PostgreSQL: storing a field's meter
 * readings (upsertReadings, batches of 500 as its manifest sets) and computing the day from
 * them (produceDay: status timelines, tests, each well's readings around the day, the
 * allocation, the version stored), for a field of `--wells` wells with three meters each
 * (an oil totalizer, gas and water rates) and a fiscal oil meter, all read every `--step`
 * seconds.
 *
 *   node bench/daily-production.ts [--wells 20] [--step 10]
 *
 * Uses the local PostgreSQL (started here if absent) and a database of its own, dropped
 * afterwards. Compare the lines of one run, not runs across machines.
 */
import { parseArgs } from 'node:util';
import { AssetRegistry, indexAssets } from '../config/asset-registry.ts';
import { ProductionAccounting } from '../config/production-accounting.ts';
import { produceDay } from '../functions/daily-production/produce-day.ts';
import { boundsOfDay } from '../functions/daily-production/production-day.ts';
import { dueDays, markDays, type ReadingRow, upsertReadings } from '../functions/daily-production/production-store.ts';
import { migrate } from '../functions/persist/migrate.ts';
import { openDb } from '../runtime/resources/db.ts';
import { ownDatabase } from './own-database.ts';

const { values } = parseArgs({ options: { wells: { type: 'string', default: '20' }, step: { type: 'string', default: '10' } } });
const wellCount = Number(values.wells);
const stepMs = Number(values.step) * 1000;

const database = await ownDatabase('bench_production');
const db = await openDb(database.url, { statementTimeoutMs: 300_000 });

try {
  await migrate(db);
  const wells = Array.from({ length: wellCount }, (_, i) => `w-${i}`);
  const registry = AssetRegistry.parse({
    tenants: [{ id: 'bench', name: 'Bench' }],
    fields: [{ id: 'field', name: 'Field', tenantId: 'bench' }],
    wells: wells.map((id) => ({ id, name: id, fieldId: 'field' })),
    devices: [...wells.map((w) => ({ id: `rtu-${w}`, wellId: w })), { id: 'sep', fieldId: 'field' }],
  });
  const accounting = ProductionAccounting.parse({
    fields: [
      {
        fieldId: 'field',
        timeZone: 'America/Bogota',
        wells: {
          oil: { totalizer: { tagId: 'oil_total', rolloverAt: 1_000_000 } },
          gas: { rate: { tagId: 'gas_rate' } },
          water: { rate: { tagId: 'water_rate' } },
        },
        fiscal: { oil: { rate: { tagId: 'oil_rate', deviceId: 'sep' } } },
      },
    ],
  });
  const bounds = boundsOfDay('2026-12-01', { timeZone: 'America/Bogota', startMinute: 360 });

  let batch: ReadingRow[] = [];
  let stored = 0;
  const reading = (assetId: string, deviceId: string, tagId: string, t: number, value: number): ReadingRow => ({
    tenantId: 'bench',
    fieldId: 'field',
    assetId,
    deviceId,
    tagId,
    t,
    value,
    eventId: `${deviceId}-${tagId}-${t}`,
  });
  const storing = performance.now();
  for (let t = bounds.start - stepMs; t <= bounds.end + stepMs; t += stepMs) {
    for (const w of wells) {
      batch.push(reading(w, `rtu-${w}`, 'oil_total', t, Math.floor(t / 60_000) % 1_000_000));
      batch.push(reading(w, `rtu-${w}`, 'gas_rate', t, 500));
      batch.push(reading(w, `rtu-${w}`, 'water_rate', t, 300));
    }
    batch.push(reading('field', 'sep', 'oil_rate', t, 3000));
    if (batch.length >= 500) {
      await upsertReadings(db, batch);
      stored += batch.length;
      batch = [];
    }
  }
  await upsertReadings(db, batch);
  stored += batch.length;
  const storeSeconds = (performance.now() - storing) / 1000;
  console.log(`store    ${stored} readings in ${storeSeconds.toFixed(1)} s: ${Math.round(stored / storeSeconds)} readings/s`);

  await markDays(db, [{ tenantId: 'bench', fieldId: 'field', day: bounds.day, end: bounds.end }]);
  const [due] = await dueDays(db, Date.now(), 0, 1);
  if (!due) throw new Error('the day was not marked');
  const computing = performance.now();
  const outcome = await produceDay(
    db,
    { accounting, assets: indexAssets(registry), fields: new Map(accounting.fields.map((f) => [f.fieldId, f])) },
    due,
    Date.now(),
  );
  console.log(
    `compute  ${wellCount} wells, one reading every ${values.step} s: ${outcome} report in ${(performance.now() - computing).toFixed(0)} ms`,
  );
} finally {
  await db.close();
  await database.drop();
}
