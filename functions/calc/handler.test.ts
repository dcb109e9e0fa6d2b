import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IprCalculated, WellTestCompleted } from '#contracts';
import { deadLetterHeader } from '../../runtime/dead-letter.ts';
import type { TestBed } from '../../runtime/testing.ts';
import { calcBed, settle } from './test-bed.ts';

let bed: TestBed;
let redis: Redis;
let live: Awaited<ReturnType<typeof calcBed>>['live'];
let close: () => Promise<void>;

beforeEach(async () => {
  ({ bed, redis, live, close } = await calcBed());
});
afterEach(() => close());

const t0 = Date.UTC(2026, 0, 15, 12);
/** A test of norte-01 that fits its well model: ~480 stb/d below the bubble point. */
function wellTest(overrides: Partial<WellTestCompleted> = {}): WellTestCompleted {
  return {
    testId: 'wt-0001',
    wellId: 'norte-01',
    tenantId: 'acme-energy',
    fieldId: 'campo-norte',
    timestamp: t0,
    oilRateStbd: 480,
    waterRateBbld: 480,
    flowingBottomholePressurePsia: 1185,
    reservoirPressurePsia: 2150,
    bubblePointPressurePsia: 1650,
    wellheadPressurePsig: 880,
    ...overrides,
  };
}

async function calculate(...tests: WellTestCompleted[]): Promise<IprCalculated[]> {
  for (const t of tests) bed.publish('well-testing.test-completed', t, { key: t.wellId });
  await bed.drained();
  return bed.events<IprCalculated>('well-testing.ipr-calculated').map((e) => e.data);
}

describe('calc: well test → IPR', () => {
  it('computes the composite IPR, PI, AOF, curve and the nodal operating point, caches and announces it', async () => {
    const [ipr] = await calculate(wellTest());
    // By hand: pwf/pb = 0.71818; 1 − 0.14364 − 0.41263 = 0.44373; J = 480 / (500 + 1650/1.8 · 0.44373) = 480 / 906.75 = 0.52936.
    expect(ipr).toMatchObject({
      calculationId: 'ipr:norte-01:wt-0001',
      model: 'composite-vogel',
      wellId: 'norte-01',
      tenantId: 'acme-energy',
      timestamp: t0,
    });
    expect(ipr?.productivityIndexStbdPerPsi).toBeCloseTo(0.52936, 4);
    expect(ipr?.bubblePointRateStbd).toBeCloseTo(264.68, 1); // 0.52936 · 500
    expect(ipr?.absoluteOpenFlowStbd).toBeCloseTo(749.93, 1); // 264.68 + 0.52936 · 1650 / 1.8
    const curve = ipr?.curve ?? [];
    expect(curve[0]).toEqual({ flowingBottomholePressurePsia: 2150, oilRateStbd: 0 });
    expect(curve.at(-1)?.flowingBottomholePressurePsia).toBe(0);
    expect(curve.some((p) => p.flowingBottomholePressurePsia === 1650)).toBe(true);
    for (let i = 1; i < curve.length; i++) expect(curve[i]?.oilRateStbd ?? 0).toBeGreaterThan(curve[i - 1]?.oilRateStbd ?? 0);
    // The model's lift curve (ESP at its design Δp) meets the IPR close to the tested rate.
    expect(ipr?.liftCurve).toMatchObject({
      model: 'single-phase-liquid',
      waterCutFraction: 0.5,
      wellheadPressurePsig: 880,
      pumpDifferentialPressurePsi: 1750,
    });
    expect(ipr?.operatingPoint).toMatchObject({ flows: true, pumpedOff: false });
    const point = ipr?.operatingPoint?.flows ? ipr.operatingPoint : undefined;
    expect(point?.oilRateStbd).toBeGreaterThan(440);
    expect(point?.oilRateStbd).toBeLessThan(520);

    const cached = JSON.parse((await redis.get(`calc:ipr:norte-01:${t0}`)) ?? 'null');
    expect(cached).toMatchObject({ calculationId: 'ipr:norte-01:wt-0001', timestamp: t0 });
    expect(await redis.get('calc:ipr:norte-01:latest')).toBe(await redis.get(`calc:ipr:norte-01:${t0}`));
    expect(await redis.ttl('calc:ipr:norte-01:latest')).toBeGreaterThan(604_000);
    await settle();
    expect(live).toEqual([
      { channel: 'live:well:norte-01', message: { type: 'calculation:ipr', data: expect.objectContaining({ testId: 'wt-0001' }) } },
    ]);
    expect(bed.events('well-testing.ipr-calculated')[0]?.partitionkey).toBe('norte-01');
  });

  it('chooses the model from the pressures: above, at and below the bubble point, pr = pb, pwf = 0', async () => {
    const out = await calculate(
      wellTest({ testId: 'above', flowingBottomholePressurePsia: 1900 }),
      wellTest({ testId: 'at', flowingBottomholePressurePsia: 1650 }),
      wellTest({ testId: 'saturated', bubblePointPressurePsia: 2150 }),
      wellTest({ testId: 'zero', flowingBottomholePressurePsia: 0 }),
      wellTest({ testId: 'no-gas', bubblePointPressurePsia: 0, flowingBottomholePressurePsia: 1650 }),
    );
    const byId = new Map(out.map((r) => [r.testId, r]));
    // Above and at p_b the PI is the straight line: 480 / 250 and 480 / 500.
    expect(byId.get('above')).toMatchObject({ model: 'composite-vogel', productivityIndexStbdPerPsi: 1.92 });
    expect(byId.get('at')).toMatchObject({ model: 'composite-vogel', productivityIndexStbdPerPsi: 0.96, bubblePointRateStbd: 480 });
    expect(byId.get('saturated')?.model).toBe('vogel');
    expect(byId.get('saturated')?.bubblePointRateStbd).toBe(0);
    // A test at pwf = 0 is itself the absolute open flow.
    expect(byId.get('zero')?.absoluteOpenFlowStbd).toBeCloseTo(480, 6);
    expect(byId.get('no-gas')).toMatchObject({ model: 'linear', absoluteOpenFlowStbd: 2064 }); // 480/500 · 2150
  });

  it('dead-letters a test that defines no inflow, saying what to check', async () => {
    await calculate(wellTest({ flowingBottomholePressurePsia: 2200 }));
    bed.publish('well-testing.test-completed', { ...wellTest(), oilRateStbd: 0 }, { key: 'norte-01' });
    await bed.drained();
    const reasons = bed.deadLetters('well-testing.test-completed').map((l) => l.headers[deadLetterHeader.reason]);
    expect(reasons[0]).toMatch(
      /flowingBottomholePressurePsia: flowingBottomholePressurePsia must be below reservoirPressurePsia: a well flows toward lower pressure/,
    );
    expect(reasons[1]).toMatch(/oilRateStbd must be above 0/);
    expect(bed.events('well-testing.ipr-calculated')).toHaveLength(0);
  });

  it('keeps the newest test as latest when an older one arrives late, and caches both', async () => {
    await calculate(wellTest({ testId: 'new', timestamp: t0 + 86_400_000, oilRateStbd: 500 }), wellTest({ testId: 'old', timestamp: t0 }));
    expect(JSON.parse((await redis.get('calc:ipr:norte-01:latest')) ?? '{}').testId).toBe('new');
    expect(JSON.parse((await redis.get(`calc:ipr:norte-01:${t0}`)) ?? '{}').testId).toBe('old');
    await settle();
    expect(live.map((m) => (m.message.data as IprCalculated).testId)).toEqual(['new']); // the late one is not shown as current
  });

  it('republishes the same result under the same id when a test is redelivered', async () => {
    const event = bed.publish('well-testing.test-completed', wellTest(), { key: 'norte-01' });
    bed.publish('well-testing.test-completed', wellTest(), { key: 'norte-01', id: event.id });
    await bed.drained();
    const out = bed.events<IprCalculated>('well-testing.ipr-calculated');
    expect(out).toHaveLength(2);
    expect(out[1]?.id).toBe(out[0]?.id);
    const { calculatedAt: _a, ...first } = out[0]?.data ?? ({} as IprCalculated);
    const { calculatedAt: _b, ...second } = out[1]?.data ?? ({} as IprCalculated);
    expect(second).toEqual(first);
    expect(await redis.keys('calc:ipr:*')).toHaveLength(2); // the test's key and latest, nothing more
  });

  it('computes the IPR without an operating point for a well with no lift model', async () => {
    const [ipr] = await calculate(wellTest({ wellId: 'norte-07' }));
    expect(ipr?.model).toBe('composite-vogel');
    expect(ipr?.liftCurve).toBeUndefined();
    expect(ipr?.operatingPoint).toBeUndefined();
    // A gas-lifted well has fluids and completion, but above its valve the column is gas and
    // liquid: the single-phase lift curve would be wrong there, so none is drawn.
    const [gasLifted] = await calculate(wellTest({ wellId: 'norte-04', testId: 'gl-1' }));
    expect(gasLifted?.liftCurve).toBeUndefined();
    expect(gasLifted?.operatingPoint).toBeUndefined();
  });

  it('says when the well cannot flow against its wellhead pressure', async () => {
    const [ipr] = await calculate(wellTest({ wellheadPressurePsig: 3000 }));
    expect(ipr?.operatingPoint).toEqual({
      flows: false,
      reason: expect.stringMatching(/the well cannot flow against this wellhead pressure/),
    });
  });
});
