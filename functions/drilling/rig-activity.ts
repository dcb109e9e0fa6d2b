import type { RigActivity } from '#contracts';

/** A rig's values at one moment, in the units its tags report (gpm, bbl, ft, klbf, rpm). */
export interface RigReading {
  timestamp: number;
  pitVolumeBbl: number;
  flowInGpm: number;
  flowOutGpm: number | undefined;
  bitDepthFt: number | undefined;
  holeDepthFt: number | undefined;
  hookLoadKlbf: number | undefined;
  rotarySpeedRpm: number | undefined;
  surfaceTorqueKftLbf: number | undefined;
}

export interface ActivitySettings {
  /** Pump output at or above this is circulating; below it the pumps are off. */
  pumpsOnMinGpm: number;
  /** Bit within this of the hole's bottom is on bottom. */
  onBottomFt: number;
  /** The bit moving faster than this with the pumps off is a trip. */
  trippingMinFtPerMin: number;
  /** A hook load at or below this carries no string: the pipe sits in the slips. */
  inSlipsMaxHookLoadKlbf: number;
  /** Rotating at or above this is rotating. */
  rotatingMinRpm: number;
}

/**
 * What the rig is doing, from its measurements alone (a rig's own state code differs from rig
 * to rig, and a wrong one would silence the detector): circulating or not, where the bit is
 * and how it moves. `previous` is the reading before, for the bit's speed.
 */
export function rigActivity(reading: RigReading, previous: RigReading | undefined, s: ActivitySettings): RigActivity {
  const pumpsOn = reading.flowInGpm >= s.pumpsOnMinGpm;
  const onBottom =
    reading.bitDepthFt !== undefined && reading.holeDepthFt !== undefined && reading.holeDepthFt - reading.bitDepthFt <= s.onBottomFt;
  const rotating = (reading.rotarySpeedRpm ?? 0) >= s.rotatingMinRpm;
  if (pumpsOn) return onBottom ? 'drilling' : rotating ? 'rotating-off-bottom' : 'circulating';
  if (reading.hookLoadKlbf !== undefined && reading.hookLoadKlbf <= s.inSlipsMaxHookLoadKlbf) return 'in-slips';
  const speed = bitSpeedFtPerMin(reading, previous);
  if (speed !== undefined && speed >= s.trippingMinFtPerMin) return 'tripping-in';
  if (speed !== undefined && speed <= -s.trippingMinFtPerMin) return 'tripping-out';
  return 'pumps-off';
}

/** The bit's speed along the hole, ft/min, positive going down; undefined without two depths apart in time. */
export function bitSpeedFtPerMin(reading: RigReading, previous: RigReading | undefined): number | undefined {
  if (!previous || reading.bitDepthFt === undefined || previous.bitDepthFt === undefined) return undefined;
  const minutes = (reading.timestamp - previous.timestamp) / 60_000;
  return minutes > 0 ? (reading.bitDepthFt - previous.bitDepthFt) / minutes : undefined;
}
