import { describe, expect, it } from 'vitest';
import type { RigReading } from './rig-activity.ts';
import { emptyTrack, type Volumes, type WellControlSettings, type WellControlVerdict, watchWellControl } from './well-control.ts';

const settings: WellControlSettings = {
  pumpsOnMinGpm: 50,
  onBottomFt: 1,
  trippingMinFtPerMin: 5,
  inSlipsMaxHookLoadKlbf: 90,
  rotatingMinRpm: 10,
  windowSeconds: 300,
  pitGainKickBbl: 10,
  pitLossBbl: 10,
  flowGainKickGpm: 50,
  flowLossGpm: 75,
  flowConfirmSeconds: 30,
  pumpTransientSeconds: 120,
  flowbackAllowanceBbl: 8,
  fillUpAllowanceBbl: 8,
  clearFraction: 0.5,
};
// 5 in, 20 lb/ft drill pipe run closed (float in the string): 20/2751 steel + 4.276²/1029.4 bore = 0.0250 bbl/ft;
// an 8 1/2 in hole holds 8.5²/1029.4 = 0.0702 bbl/ft.
const volumes: Volumes = { tripDisplacementBblPerFt: 0.025, holeCapacityBblPerFt: 0.0702 };

const drilling = (t: number, extra: Partial<RigReading> = {}): RigReading => ({
  timestamp: t * 1000,
  pitVolumeBbl: 500,
  flowInGpm: 600,
  flowOutGpm: 600,
  bitDepthFt: 8_000,
  holeDepthFt: 8_000,
  hookLoadKlbf: 200,
  rotarySpeedRpm: 120,
  surfaceTorqueKftLbf: 8,
  ...extra,
});

/** Runs readings through the detector, as the function would one poll after another. */
function run(readings: RigReading[], s: WellControlSettings = settings): WellControlVerdict[] {
  let track = emptyTrack();
  return readings.map((reading) => {
    const seen = watchWellControl(track, reading, s, volumes);
    track = seen.track;
    return seen.verdict;
  });
}

const every10s = (fromS: number, toS: number) => Array.from({ length: (toS - fromS) / 10 + 1 }, (_, i) => fromS + i * 10);

describe('kick and lost-circulation watch', () => {
  it('a real gain while drilling: flow out above flow in for 30 s raises a kick, the pits confirm it, and it clears once the well is back in balance', () => {
    // 600 gpm in; from t = 100 s the formation adds 100 gpm: flow out 700, pits +2.38 bbl/min.
    const influx = (t: number) => (t > 100 ? t - 100 : 0);
    const readings = every10s(0, 400).map((t) =>
      drilling(t, { flowOutGpm: t > 100 && t <= 400 ? 700 : 600, pitVolumeBbl: 500 + (influx(Math.min(t, 400)) / 60) * (100 / 42) }),
    );
    const verdicts = run(readings);
    // Held from 110 s, confirmed at 140 s (flowConfirmSeconds 30).
    expect(verdicts[13]?.kick).toBe(false);
    expect(verdicts[14]?.kick).toBe(true);
    expect(verdicts[14]?.reasons).toEqual([expect.stringMatching(/^flow out 100 gpm above the expected 600 gpm/)]);
    // 10 bbl of pit gain after 252 s of influx: the pit indicator joins.
    const at360 = verdicts[36] as WellControlVerdict;
    expect(at360.kick).toBe(true);
    expect(at360.unexplainedPitGainBbl).toBeGreaterThanOrEqual(10);
    expect(at360.reasons.some((r) => r.startsWith('pit gain'))).toBe(true);
    expect(verdicts.every((v) => !v.losses)).toBe(true);

    // Back in balance: flow out 600 again, the pits steady 11.9 bbl up. The kick holds while the
    // gain is inside the window (hysteresis), and clears once it has left it.
    const gained = 500 + (300 / 60) * (100 / 42);
    const verdictsAfter = run([...readings, ...every10s(410, 800).map((t) => drilling(t, { pitVolumeBbl: gained }))]);
    expect(verdictsAfter[50]?.kick).toBe(true);
    expect(verdictsAfter.at(-1)?.kick).toBe(false);
    expect(verdictsAfter.at(-1)?.unexplainedPitGainBbl).toBeCloseTo(0, 5);
  });

  it('a pit gain alone raises a kick when there is no flow-out sensor', () => {
    // 12 bbl over 3 minutes while drilling, flow out unmeasured.
    const readings = every10s(0, 180).map((t) => drilling(t, { flowOutGpm: undefined, pitVolumeBbl: 500 + (12 * t) / 180 }));
    const verdicts = run(readings);
    expect(verdicts.at(-1)).toMatchObject({ kick: true, activity: 'drilling', expectedPitChangeBbl: 0, unexplainedPitGainBbl: 12 });
    expect(verdicts.findIndex((v) => v.kick)).toBe(15); // 10 bbl at 150 s
  });

  /**
   * A connection as the simulator and a real rig make it: drilling, pumps stop (flow out decays
   * over a minute while the annulus drains 12 bbl back into the pits), pipe in the slips for two
   * minutes, pumps start (the pits give the 12 bbl back to the annulus), drilling again.
   */
  function connection(): RigReading[] {
    return every10s(0, 600).map((t) => {
      if (t < 100) return drilling(t);
      const sinceStop = t - 100;
      if (t < 280) {
        const drained = Math.min(sinceStop, 60) / 60;
        return drilling(t, {
          flowInGpm: 0,
          flowOutGpm: Math.max(0, 600 * (1 - drained)),
          pitVolumeBbl: 500 + 12 * drained,
          hookLoadKlbf: t < 130 ? 200 : 80, // in slips: the block alone
          rotarySpeedRpm: 0,
          bitDepthFt: 7_995,
        });
      }
      const sinceStart = t - 280;
      const refilled = Math.min(sinceStart, 60) / 60;
      return drilling(t, { pitVolumeBbl: 512 - 12 * refilled, flowOutGpm: 600 * refilled });
    });
  }

  it("a connection's flow-back and the fill-up after it raise nothing", () => {
    const verdicts = run(connection());
    expect(verdicts.filter((v) => v.kick || v.losses)).toEqual([]);
    // Picking the bit 5 ft off bottom reads as a short trip out; then pumps off, slips, and drilling again.
    expect(new Set(verdicts.map((v) => v.activity))).toEqual(new Set(['drilling', 'tripping-out', 'pumps-off', 'in-slips']));
    // The allowance is what keeps it quiet: without one, the same 12 bbl flow-back is a kick.
    const strict = run(connection(), { ...settings, flowbackAllowanceBbl: 0, fillUpAllowanceBbl: 0 });
    expect(strict.some((v) => v.kick)).toBe(true);
    expect(strict.some((v) => v.losses)).toBe(true);
  });

  it("tripping in: the pipe's displacement in the pits and in the flow out is expected, not a kick", () => {
    // Pumps off, running in at 90 ft/min for 10 minutes: over the 300 s window 450 ft × 0.025 = 11.25 bbl
    // into the pits, and 90 × 0.025 × 42 = 94.5 gpm out of the flow line.
    const readings = every10s(0, 600).map((t) => ({
      timestamp: t * 1000,
      pitVolumeBbl: 500 + (t / 60) * 90 * 0.025,
      flowInGpm: 0,
      flowOutGpm: 94.5,
      bitDepthFt: 4_000 + (t / 60) * 90,
      holeDepthFt: 8_000,
      hookLoadKlbf: 150,
      rotarySpeedRpm: 0,
      surfaceTorqueKftLbf: 0,
    }));
    const verdicts = run(readings);
    expect(verdicts.slice(1).every((v) => v.activity === 'tripping-in')).toBe(true);
    expect(verdicts.filter((v) => v.kick || v.losses)).toEqual([]);
    expect(verdicts.at(-1)).toMatchObject({
      expectedPitChangeBbl: 11.3,
      unexplainedPitGainBbl: 0,
      expectedFlowOutGpm: 94.5,
      flowDeltaGpm: 0,
    });
  });

  it('tripping out with the pits not dropping as the pipe comes out is a kick (the well is swabbed in)', () => {
    // Pulling 60 ft/min: 5 minutes should take 300 × 0.025 = 7.5 bbl... over 10 minutes 15 bbl; the pits stay flat.
    const readings = every10s(0, 600).map((t) => ({
      timestamp: t * 1000,
      pitVolumeBbl: 500,
      flowInGpm: 0,
      flowOutGpm: 0,
      bitDepthFt: 8_000 - t,
      holeDepthFt: 8_000,
      hookLoadKlbf: 230,
      rotarySpeedRpm: 0,
      surfaceTorqueKftLbf: 0,
    }));
    const verdicts = run(readings);
    expect(verdicts[2]?.activity).toBe('tripping-out');
    // Over a full window the pulled pipe explains −7.5 bbl: +7.5 unexplained, under the 10 bbl threshold.
    expect(verdicts.at(-1)).toMatchObject({ kick: false, unexplainedPitGainBbl: 7.5 });
    const tighter = run(readings, { ...settings, pitGainKickBbl: 5 });
    expect(tighter.at(-1)).toMatchObject({ kick: true, reasons: [expect.stringContaining('unexplained by tripping-out')] });
  });

  it('returns short of flow in for 30 s are lost circulation, and new hole drilled is not', () => {
    // Drilling 120 ft/h for 5 minutes: 10 ft of new hole takes 0.702 bbl and the 10 ft of pipe that
    // went into it gives back 0.25: −0.452 bbl, expected. Then, from 200 s, returns 100 gpm short.
    const readings = every10s(0, 300).map((t) =>
      drilling(t, {
        bitDepthFt: 8_000 + (t / 3600) * 120,
        holeDepthFt: 8_000 + (t / 3600) * 120,
        pitVolumeBbl: 500 - (t / 3600) * 120 * (0.0702 - 0.025),
        flowOutGpm: t >= 200 ? 500 : 600,
      }),
    );
    const verdicts = run(readings);
    expect(verdicts[22]?.losses).toBe(false);
    expect(verdicts[23]?.losses).toBe(true);
    expect(verdicts[23]?.reasons).toEqual([expect.stringMatching(/^flow out 100 gpm below the expected 600 gpm/)]);
    expect(verdicts.at(-1)?.unexplainedPitGainBbl).toBeCloseTo(0, 1);
    expect(verdicts.every((v) => !v.kick)).toBe(true);
  });

  it('keeps about 60 readings of the window however often the rig reports', () => {
    // A reading a second for 10 minutes, the pits gaining 12 bbl over the last 5: judged over the window all the same.
    let track = emptyTrack();
    let last: WellControlVerdict | undefined;
    for (let t = 0; t <= 600; t++) {
      const seen = watchWellControl(
        track,
        drilling(t, { flowOutGpm: undefined, pitVolumeBbl: 500 + Math.max(0, t - 300) * (12 / 300) }),
        settings,
        volumes,
      );
      track = seen.track;
      last = seen.verdict;
    }
    expect(track.window.length).toBeLessThanOrEqual(62);
    expect(last).toMatchObject({ kick: true, windowSeconds: 300 });
    expect(last?.unexplainedPitGainBbl).toBeCloseTo(12, 0);
  });
});
