import { DailyProduction, type MeteredVolume } from '#contracts';
import type { Db } from '#runtime';
import type { AssetIndex } from '../../config/asset-registry.ts';
import { contractMinute, type FieldAccounting, type Phase, type ProductionAccounting } from '../../config/production-accounting.ts';
import { queryStatusTimeline, type StatusInterval } from '../persist/well-status-store.ts';
import { changesBetween, computeFieldDay, type FieldDayContent, measureAsset, metersOfAsset } from './field-day.ts';
import { boundsOfDay, type ContractDay } from './production-day.ts';
import { clearDay, type DueDay, insertReport, latestReport, latestTests, readingsAround } from './production-store.ts';

/** What the function loaded at start: the accounting document and the asset registry. */
export interface DayProduction {
  accounting: ProductionAccounting;
  assets: AssetIndex;
  fields: Map<string, FieldAccounting>;
}

export const contractOf = (field: FieldAccounting): ContractDay => ({ timeZone: field.timeZone, startMinute: contractMinute(field) });

/** Kinds of well that produce: a rig's well and an injector have nothing to allocate. */
const producing = new Set(['oil', 'gas', 'water']);

/** How far a meter's previous (or next) reading may lie from the day and still carry its edge. */
const edgeReachMs = 7 * 86_400_000;

/**
 * Computes a marked day and stores it as a new version when it differs from the latest (the
 * first report, or a revision saying what changed); an unchanged result only unmarks the day.
 */
export async function produceDay(db: Db, deps: DayProduction, due: DueDay, now: number): Promise<'first' | 'revision' | 'unchanged'> {
  const field = deps.fields.get(due.fieldId);
  if (!field) {
    // The field left the accounting document since the day was marked.
    await clearDay(db, due);
    return 'unchanged';
  }
  const bounds = boundsOfDay(due.day, contractOf(field));
  const wells = deps.assets.registry.wells.filter((w) => w.fieldId === field.fieldId && producing.has(w.kind)).map((w) => w.id);
  // One computation of a day at a time: a slow tick on one replica may overlap the next on another.
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`daily-production:${field.fieldId}:${due.day}`]);
    // One after the other: a transaction is one connection, which runs one query at a time.
    const stretches: StatusInterval[][] = [];
    for (const wellId of wells)
      stretches.push(
        await queryStatusTimeline(tx, { tenantId: due.tenantId, wellId, from: bounds.start, to: bounds.end, now, limit: 5000 }),
      );
    const tests = await latestTests(tx, wells, bounds.end);
    const previous = await latestReport(tx, field.fieldId, due.day);
    // Asset by asset: only one well's readings are held at a time.
    const measured = new Map<string, Partial<Record<Phase, MeteredVolume>>>();
    for (const assetId of [...wells, field.fieldId]) {
      const readings = await readingsAround(tx, {
        fieldId: field.fieldId,
        assetId,
        start: bounds.start,
        end: bounds.end,
        reachMs: edgeReachMs,
      });
      measured.set(assetId, measureAsset(metersOfAsset(field, assetId), readings, bounds));
    }
    const content = computeFieldDay({
      tenantId: due.tenantId,
      field,
      bounds,
      wells: wells.map((wellId, i) => ({ wellId, stretches: stretches[i] ?? [], test: tests.get(wellId) })),
      measured,
    });
    await clearDay(tx, due);
    if (previous && canonical(contentOf(previous)) === canonical(content)) return 'unchanged';
    await insertReport(
      tx,
      DailyProduction.parse({
        ...content,
        version: (previous?.version ?? 0) + 1,
        computedAt: now,
        ...(previous ? { revises: { version: previous.version, changed: changesBetween(contentOf(previous), content) } } : {}),
      }),
    );
    return previous ? 'revision' : 'first';
  });
}

function contentOf(report: DailyProduction): FieldDayContent {
  const { version: _v, computedAt: _c, revises: _r, ...content } = report;
  return content;
}

/** JSON with keys sorted: two reports compare equal whatever order their keys were built in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
