import { describe, expect, it } from 'vitest';
import { compositeIpr, iprFromTest } from './composite-ipr.ts';
import { vogelDimensionlessRate, vogelPressureAtFraction } from './vogel-ipr.ts';

describe('Vogel IPR (saturated reservoir)', () => {
  it('reproduces API RP 11V6 Example Problem No. 1 as worked in Clegg, "Computer API Gas-Lift Design Course Using Excel Spreadsheets" (Vogel_IPR sheet, 1997)', () => {
    // Static reservoir pressure = bubble point = 2,125 psia; test: 200 BPD at 1,941 psia; no skin.
    const ipr = iprFromTest({
      oilRateStbd: 200,
      flowingBottomholePressurePsia: 1941,
      reservoirPressurePsia: 2125,
      bubblePointPressurePsia: 2125,
    });
    expect(ipr.kind).toBe('vogel');
    // The published table, pressure (psia) → rate (BPD).
    const published: [number, number][] = [
      [2125, 0],
      [1912.5, 229.5],
      [1700, 437.7],
      [1487.5, 624.6],
      [1275, 790.1],
      [1062.5, 934.2],
      [850, 1057.0],
      [637.5, 1158.4],
    ];
    for (const [pwf, q] of published) expect(ipr.rateAt(pwf)).toBeCloseTo(q, 1);
    // qmax = 200 / (1 − 0.2·0.91341 − 0.8·0.91341²) = 200 / 0.149866 = 1,334.6 BPD: the AOF.
    expect(ipr.absoluteOpenFlowStbd).toBeCloseTo(1334.57, 1);
    expect(ipr.rateAt(0)).toBeCloseTo(ipr.absoluteOpenFlowStbd, 9);
  });

  it('inverts Vogel as the printed "GasLiftPotential-US Field Units.xls" solution does: inflow pressure at the injection depth', () => {
    // Read in the Scribd document "Gas Lift Potential" (scribd.com/document/359351903), a printout
    // of the spreadsheet GasLiftPotential-US Field Units.xls ("calculates expected deliverability of
    // a continuous gas lift well"; its author is not named in the part we read). Inputs: reservoir
    // depth 5,200 ft, p̄ = 2,000 psia, Vogel AOF qmax = 800 stb/d, injection depth 5,000 ft, liquid
    // gradient 0.3914984 psi/ft (SG 0.9042). It prints the inverse Vogel
    //   p_vf = 0.125 p̄ [√(81 − 80 q/qmax) − 1] − G (D − Dv)
    // and the solution rows (q stb/d → inflow pressure psia): 0 → 1,922; 400 → 1,272; 600 → 817.
    // Our pressureAt is the same root written as (−0.2 + √(0.04 + 3.2 (1 − q/qmax))) / 1.6 · p̄.
    const ipr = compositeIpr({
      reservoirPressurePsia: 2000,
      bubblePointPressurePsia: 2000,
      productivityIndexStbdPerPsi: (1.8 * 800) / 2000,
    });
    expect(ipr.kind).toBe('vogel');
    expect(ipr.absoluteOpenFlowStbd).toBeCloseTo(800, 9);
    const belowInjectionPsi = 0.3914984 * (5200 - 5000); // 78.30 psi
    const published: [number, number][] = [
      [0, 1922],
      [400, 1272],
      [600, 817],
    ];
    for (const [q, p] of published) expect(ipr.pressureAt(q) - belowInjectionPsi).toBeCloseTo(p, 0);
  });

  it('is 1 at pwf = 0 and 0 at the reservoir pressure, and its inverse returns the pressure', () => {
    expect(vogelDimensionlessRate(0, 2000)).toBe(1);
    expect(vogelDimensionlessRate(2000, 2000)).toBe(0);
    for (const pwf of [0, 250, 1000, 1999]) expect(vogelPressureAtFraction(vogelDimensionlessRate(pwf, 2000), 2000)).toBeCloseTo(pwf, 6);
    expect(() => vogelDimensionlessRate(100, 0)).toThrow(/reference pressure must be above 0 psia/);
    expect(() => vogelPressureAtFraction(1.2, 2000)).toThrow(/lies in \[0, 1\]/);
  });
});
