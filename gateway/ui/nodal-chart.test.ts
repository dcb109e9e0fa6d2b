import { describe, expect, it } from 'vitest';
import { type IprResultView, nodalCaption, nodalColumns } from './nodal-chart.ts';

describe('nodalColumns', () => {
  const result: IprResultView = {
    testId: 't1',
    timestamp: 0,
    model: 'composite-vogel',
    reservoirPressurePsia: 2500,
    bubblePointPressurePsia: 1800,
    productivityIndexStbdPerPsi: 0.4,
    absoluteOpenFlowStbd: 700,
    testOilRateStbd: 500,
    testFlowingBottomholePressurePsia: 1200,
    curve: [
      { flowingBottomholePressurePsia: 2500, oilRateStbd: 0 },
      { flowingBottomholePressurePsia: 1800, oilRateStbd: 280 },
      { flowingBottomholePressurePsia: 0, oilRateStbd: 700 },
    ],
    liftCurve: {
      waterCutFraction: 0.5,
      wellheadPressurePsig: 150,
      pumpDifferentialPressurePsi: 1750,
      points: [
        { liquidRateBbld: 0, flowingBottomholePressurePsia: 420 },
        { liquidRateBbld: 700, flowingBottomholePressurePsia: 440 },
        { liquidRateBbld: 1400, flowingBottomholePressurePsia: 480 },
      ],
    },
    operatingPoint: { flows: true, oilRateStbd: 650, liquidRateBbld: 1300, flowingBottomholePressurePsia: 470, pumpedOff: false },
  };

  it('puts IPR, lift (liquid converted to oil at the water cut), operating and test points on one ascending oil-rate axis', () => {
    // Lift at 50 % water cut: liquid 700 and 1400 bbl/d are oil 350 and 700 stb/d; 0 and 700 are shared with the IPR.
    expect(nodalColumns(result)).toEqual([
      [0, 280, 350, 500, 650, 700],
      [2500, 1800, null, null, null, 0],
      [420, null, 440, null, null, 480],
      [null, null, null, null, 470, null],
      [null, null, null, 1200, null, null],
    ]);
  });

  it('draws no operating point when the well does not flow, and says why', () => {
    const dead = { ...result, operatingPoint: { flows: false as const, reason: 'lift curve above the IPR at every rate' } };
    const [, , , op] = nodalColumns(dead);
    expect(op).toEqual([null, null, null, null, null]);
    expect(nodalCaption(dead)).toMatch(/no operating point: lift curve above the IPR at every rate$/);
  });

  it('says when a well has no lift curve (gas lift, or no model)', () => {
    const { liftCurve, operatingPoint, ...inflowOnly } = result;
    expect(nodalColumns(inflowOnly)).toEqual([
      [0, 280, 500, 700],
      [2500, 1800, null, 0],
      [null, null, null, null],
      [null, null, null, null],
      [null, null, 1200, null],
    ]);
    expect(nodalCaption(inflowOnly)).toContain('no lift curve');
  });
});
