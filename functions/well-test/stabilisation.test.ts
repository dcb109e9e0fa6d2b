import { describe, expect, it } from 'vitest';
import { Stabilisation } from '../../config/well-test-rules.ts';
import { judgeStability, type Reading } from './stabilisation.ts';

// The shipped defaults: a 30 min window, rates within 5 % and ±4 %/h, pressure within 2 % and
// ±2 %/h, a reading at least every 5 min. The test started at t0 and is planned for 120 min.
const rule = Stabilisation.parse({});
const t0 = Date.parse('2026-12-01T12:00:00Z');
const test = { startedAt: t0, plannedMinutes: 120 };
const minute = 60_000;

/** One reading a minute, from minute `from` to `to` inclusive, valued by `f(minute)`. */
const series = (from: number, to: number, f: (m: number) => number): Reading[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ t: t0 + (from + i) * minute, value: f(from + i) }));
const alternating = (even: number, odd: number) => (m: number) => (m % 2 === 0 ? even : odd);

describe('judgeStability', () => {
  it('a steady test: rates and pressure within their bands over the last 30 min, 130 of 120 minutes run', () => {
    // Window = minutes 100..130: 16 even minutes at 495 and 15 odd at 505 → mean 15495/31 = 499.84,
    // variation (505 − 495) / 499.84 = 2.0 %; pressure 1194/1206 → 12 / 1199.8 = 1.0 %.
    const j = judgeStability(rule, test, {
      oilRate: series(0, 130, alternating(495, 505)),
      bottomholePressure: series(0, 130, alternating(1194, 1206)),
    });
    expect(j).toMatchObject({ steady: true, waitingFor: [], elapsedMinutes: 130, at: t0 + 130 * minute });
    expect(j.averages.oilRate).toBeCloseTo(15_495 / 31, 6);
    expect(j.averages.bottomholePressure).toBeCloseTo((16 * 1194 + 15 * 1206) / 31, 6);
  });

  it('noisy: an oil rate swinging 482–518 varied 7.2 % (36 / 499.4), more than 5 %', () => {
    const j = judgeStability(rule, test, {
      oilRate: series(0, 130, alternating(482, 518)),
      bottomholePressure: series(0, 130, () => 1200),
    });
    expect(j.steady).toBe(false);
    expect(j.waitingFor).toEqual(['oil rate varied 7.2 % over the last 30 min, needs < 5 %']);
  });

  it('trending: an oil rate falling 0.5 bbl/d a minute is 30 / 542.5 = 5.5 %/h though it varied only 2.8 %', () => {
    // Window 100..130: 550 down to 535, mean 542.5; variation 15 / 542.5 = 2.76 % passes, the slope does not.
    const j = judgeStability(rule, test, {
      oilRate: series(0, 130, (m) => 600 - 0.5 * m),
      bottomholePressure: series(0, 130, () => 1200),
    });
    expect(j.waitingFor).toEqual(['oil rate is falling 5.5 %/h over the last 30 min, needs within ±4 %/h']);
  });

  it('a rising pressure is judged against the pressure limits: 0.5 psi a minute on 1167.5 is 2.6 %/h', () => {
    // Window 100..130: 1160 to 1175, mean 1167.5; variation 15 / 1167.5 = 1.28 % (< 2 %), trend 30 / 1167.5 = 2.57 %/h (≥ 2).
    const j = judgeStability(rule, test, {
      oilRate: series(0, 130, () => 500),
      wellheadPressure: series(0, 130, (m) => 1110 + 0.5 * m),
    });
    expect(j.waitingFor).toEqual(['wellhead pressure is rising 2.6 %/h over the last 30 min, needs within ±2 %/h']);
    expect(j.averages).toEqual({ oilRate: 500, wellheadPressure: 1167.5 });
  });

  it('a gap in readings: no oil rate from minute 110 to 121 is an 11-minute hole in the window', () => {
    const oil = series(0, 130, () => 500).filter((r) => r.t <= t0 + 110 * minute || r.t >= t0 + 121 * minute);
    const j = judgeStability(rule, test, { oilRate: oil, bottomholePressure: series(0, 130, () => 1200) });
    expect(j.waitingFor).toEqual(['oil rate had no reading for 11.0 min of the last 30 min, needs one at least every 5 min']);
  });

  it('a quantity gone silent is a gap up to the newest reading of any other', () => {
    const j = judgeStability(rule, test, {
      oilRate: series(0, 130, () => 500),
      bottomholePressure: series(0, 120, () => 1200),
    });
    expect(j.waitingFor).toEqual(['bottom-hole pressure had no reading for 10.0 min of the last 30 min, needs one at least every 5 min']);
  });

  it('the minimum duration: steady readings for 42 minutes of a 120-minute test', () => {
    const j = judgeStability(rule, test, {
      oilRate: series(0, 42, () => 500),
      bottomholePressure: series(0, 42, () => 1200),
    });
    expect(j).toMatchObject({ steady: false, waitingFor: ['only 42 of 120 minutes'], elapsedMinutes: 42 });
  });

  it('judges the bottom-hole pressure when there is one, and gas and water rates only when measured', () => {
    const j = judgeStability(rule, test, {
      oilRate: series(0, 130, () => 500),
      waterRate: series(0, 130, alternating(90, 110)),
      bottomholePressure: series(0, 130, () => 1200),
      wellheadPressure: series(0, 130, alternating(100, 200)),
    });
    // Water 90/110 on a mean of 99.4 varied 20.1 %; the wellhead's swing is not judged, only averaged.
    expect(j.waitingFor).toEqual(['water rate varied 20.1 % over the last 30 min, needs < 5 %']);
    expect(j.averages.wellheadPressure).toBeCloseTo((16 * 100 + 15 * 200) / 31, 6);
    expect(Object.keys(j.averages).sort()).toEqual(['bottomholePressure', 'oilRate', 'waterRate', 'wellheadPressure']);
  });

  it('no readings, no oil or no pressure: each said', () => {
    expect(judgeStability(rule, test, {}).waitingFor).toEqual(['no readings yet']);
    const j = judgeStability(rule, test, { oilRate: series(0, 130, () => 0) });
    expect(j.waitingFor).toEqual([
      'oil rate averaged 0.0 over the last 30 min: the well is not flowing',
      'no wellhead pressure reading over the last 30 min',
    ]);
  });

  it('a window longer than the planned minutes is waited for whole', () => {
    const j = judgeStability(
      { ...rule, windowMinutes: 60 },
      { startedAt: t0, plannedMinutes: 20 },
      {
        oilRate: series(0, 40, () => 500),
        bottomholePressure: series(0, 40, () => 1200),
      },
    );
    expect(j.waitingFor).toEqual(['only 40 of 60 minutes']);
  });
});
