import { describe, expect, it } from 'vitest';
import { productivityIndexStbdPerPsi } from './productivity-index.ts';

describe('productivity index', () => {
  it('is the straight-line PI above the bubble point: PetroWiki "ESP design", Design example 1, step two', () => {
    // Present production 850 BFPD at a flowing pressure of 2,600 psi, static 3,200 psi; bubble
    // point 1,500 psi, so the page applies "the constant-productivity index (PI) method",
    // PI = q / (p̄ − pwf) (the arithmetic is ours): 850 / (3,200 − 2,600) = 1.417 B/D/psi.
    const j = productivityIndexStbdPerPsi({
      oilRateStbd: 850,
      flowingBottomholePressurePsia: 2600,
      reservoirPressurePsia: 3200,
      bubblePointPressurePsia: 1500,
    });
    expect(j).toBeCloseTo(1.417, 3);
  });

  it('uses the straight line exactly at the bubble point and the generalized Vogel form just below it', () => {
    const at = productivityIndexStbdPerPsi({
      oilRateStbd: 500,
      flowingBottomholePressurePsia: 1500,
      reservoirPressurePsia: 2000,
      bubblePointPressurePsia: 1500,
    });
    const below = productivityIndexStbdPerPsi({
      oilRateStbd: 500,
      flowingBottomholePressurePsia: 1499.999,
      reservoirPressurePsia: 2000,
      bubblePointPressurePsia: 1500,
    });
    expect(at).toBe(1);
    expect(below).toBeCloseTo(1, 5); // continuous across p_b
  });

  it('refuses tests that define no inflow: pwf at or above p̄, no rate', () => {
    const test = { oilRateStbd: 100, flowingBottomholePressurePsia: 2000, reservoirPressurePsia: 2000, bubblePointPressurePsia: 1000 };
    expect(() => productivityIndexStbdPerPsi(test)).toThrow(/must lie in \[0, reservoir pressure 2000 psia\)/);
    expect(() => productivityIndexStbdPerPsi({ ...test, flowingBottomholePressurePsia: 1500, oilRateStbd: 0 })).toThrow(
      /positive oil rate/,
    );
  });

  it('accepts pwf = 0 (a test drawn down to zero flows at the AOF)', () => {
    const j = productivityIndexStbdPerPsi({
      oilRateStbd: 1000,
      flowingBottomholePressurePsia: 0,
      reservoirPressurePsia: 1800,
      bubblePointPressurePsia: 1800,
    });
    expect(j).toBeCloseTo(1, 12); // AOF = J p̄ / 1.8 = 1,000 → J = 1
  });
});
