import type { RigActivity } from '#contracts';
import { type ActivitySettings, bitSpeedFtPerMin, type RigReading, rigActivity } from './rig-activity.ts';

/** The detector's thresholds and windows (well-models `drilling.wellControl`; see config/well-models.ts). */
export interface WellControlSettings extends ActivitySettings {
  /** The pit change is measured over this window. */
  windowSeconds: number;
  /** Unexplained pit gain at or above this is a kick. */
  pitGainKickBbl: number;
  /** Unexplained pit loss at or above this is lost circulation. */
  pitLossBbl: number;
  /** Flow out above the expected by this much, held for flowConfirmSeconds, is a kick. */
  flowGainKickGpm: number;
  /** Flow out below the expected by this much, held for flowConfirmSeconds, is lost circulation. */
  flowLossGpm: number;
  flowConfirmSeconds: number;
  /** After the pumps start or stop the flow out lags and the pits move: the flow is not judged this long. */
  pumpTransientSeconds: number;
  /** What the annulus drains back into the pits after the pumps stop (a connection's flow-back). */
  flowbackAllowanceBbl: number;
  /** What the pits give to fill the lines and annulus when the pumps start again. */
  fillUpAllowanceBbl: number;
  /** A verdict clears once its indicators are below this fraction of their thresholds. */
  clearFraction: number;
}

/** The string and hole volumes a trip and new hole move, bbl per ft. */
export interface Volumes {
  /** What running a foot of pipe in pushes out of the hole (steel, plus the bore when it is closed). */
  tripDisplacementBblPerFt: number;
  /** What a foot of new hole takes from the pits. */
  holeCapacityBblPerFt: number;
}

/** What the detector keeps between readings, per rig. */
export interface WellControlTrack {
  /** Readings of the window, oldest first (the one just before the window included, as its start). */
  window: { timestamp: number; pitVolumeBbl: number; bitDepthFt: number | undefined; holeDepthFt: number | undefined }[];
  previous: RigReading | undefined;
  pumpsOn: boolean | undefined;
  pumpsStoppedAt: number | undefined;
  pumpsStartedAt: number | undefined;
  flowGainSince: number | undefined;
  flowLossSince: number | undefined;
  kick: boolean;
  losses: boolean;
}

export const emptyTrack = (): WellControlTrack => ({
  window: [],
  previous: undefined,
  pumpsOn: undefined,
  pumpsStoppedAt: undefined,
  pumpsStartedAt: undefined,
  flowGainSince: undefined,
  flowLossSince: undefined,
  kick: false,
  losses: false,
});

export interface WellControlVerdict {
  activity: RigActivity;
  kick: boolean;
  losses: boolean;
  reasons: string[];
  windowSeconds: number;
  pitChangeBbl: number;
  expectedPitChangeBbl: number;
  unexplainedPitGainBbl: number;
  toleratedGainBbl: number;
  toleratedLossBbl: number;
  expectedFlowOutGpm: number | undefined;
  flowDeltaGpm: number | undefined;
}

const gallonsPerBarrel = 42;
const windowReadings = 60;
const r1 = (n: number) => Math.round(n * 10) / 10;

/**
 * One reading through the kick and lost-circulation watch. Two indicators, either enough:
 *  - pit: the active pit's change over the window minus what the activity explains — pipe
 *    run in (+ displacement) or pulled (−), new hole drilled (− capacity) — beyond the
 *    threshold, widened by the flow-back allowance when the pumps stopped inside the window
 *    (a connection drains the annulus into the pits) or the fill-up allowance when they started;
 *  - flow: flow out against the expected (flow in with the pumps on; the displacement of the
 *    pipe being run with them off; nothing on a static well), held flowConfirmSeconds, judged
 *    only once the flow has settled pumpTransientSeconds after the pumps started or stopped.
 * A verdict clears once both its indicators fall under clearFraction of their thresholds.
 */
export function watchWellControl(
  track: WellControlTrack,
  reading: RigReading,
  s: WellControlSettings,
  volumes: Volumes,
): { track: WellControlTrack; verdict: WellControlVerdict } {
  const activity = rigActivity(reading, track.previous, s);
  const pumpsOn = reading.flowInGpm >= s.pumpsOnMinGpm;
  const changed = track.pumpsOn !== undefined && track.pumpsOn !== pumpsOn;
  const pumpsStoppedAt = changed && !pumpsOn ? reading.timestamp : track.pumpsStoppedAt;
  const pumpsStartedAt = changed && pumpsOn ? reading.timestamp : track.pumpsStartedAt;

  // The window keeps about 60 readings however often the rig reports: it is stored with every poll.
  const last = track.window.at(-1);
  const entry = {
    timestamp: reading.timestamp,
    pitVolumeBbl: reading.pitVolumeBbl,
    bitDepthFt: reading.bitDepthFt,
    holeDepthFt: reading.holeDepthFt,
  };
  const window =
    last && reading.timestamp - last.timestamp < (s.windowSeconds * 1000) / windowReadings ? [...track.window] : [...track.window, entry];
  const from = reading.timestamp - s.windowSeconds * 1000;
  // Keep the newest reading at or before the window's start: it is where the window's change begins.
  while (window.length > 1 && (window[1] as (typeof window)[number]).timestamp <= from) window.shift();
  const start = window[0] as (typeof window)[number];
  const pitChange = reading.pitVolumeBbl - start.pitVolumeBbl;
  const expected = expectedPitChange(start, reading, volumes);
  const unexplained = pitChange - expected;
  // The pits move while the flow settles after the pumps stop or start: an allowance as long as that overlaps the window.
  const transientMs = s.pumpTransientSeconds * 1000;
  const overlaps = (at: number | undefined) => at !== undefined && at + transientMs > start.timestamp;
  const toleratedGain = s.pitGainKickBbl + (overlaps(pumpsStoppedAt) ? s.flowbackAllowanceBbl : 0);
  const toleratedLoss = s.pitLossBbl + (overlaps(pumpsStartedAt) ? s.fillUpAllowanceBbl : 0);

  const lastChange = Math.max(pumpsStoppedAt ?? Number.NEGATIVE_INFINITY, pumpsStartedAt ?? Number.NEGATIVE_INFINITY);
  const settled = reading.timestamp - lastChange >= transientMs;
  const expectedFlowOut = settled ? expectedFlowOutGpm(reading, track.previous, pumpsOn, volumes) : undefined;
  const flowDelta = expectedFlowOut !== undefined && reading.flowOutGpm !== undefined ? reading.flowOutGpm - expectedFlowOut : undefined;
  const flowGainSince = flowDelta !== undefined && flowDelta >= s.flowGainKickGpm ? (track.flowGainSince ?? reading.timestamp) : undefined;
  const flowLossSince = flowDelta !== undefined && flowDelta <= -s.flowLossGpm ? (track.flowLossSince ?? reading.timestamp) : undefined;
  const held = (since: number | undefined) => since !== undefined && reading.timestamp - since >= s.flowConfirmSeconds * 1000;

  const reasons: string[] = [];
  const pitGain = unexplained >= toleratedGain;
  const pitLoss = -unexplained >= toleratedLoss;
  const flowGain = held(flowGainSince);
  const flowLoss = held(flowLossSince);
  const span = Math.round((reading.timestamp - start.timestamp) / 1000);
  if (pitGain)
    reasons.push(`pit gain ${r1(unexplained)} bbl unexplained by ${activity} over ${span} s (tolerated ${r1(toleratedGain)} bbl)`);
  if (pitLoss)
    reasons.push(`pit loss ${r1(-unexplained)} bbl unexplained by ${activity} over ${span} s (tolerated ${r1(toleratedLoss)} bbl)`);
  if (flowGain)
    reasons.push(
      `flow out ${r1(flowDelta ?? 0)} gpm above the expected ${r1(expectedFlowOut ?? 0)} gpm for ${s.flowConfirmSeconds} s or more`,
    );
  if (flowLoss)
    reasons.push(
      `flow out ${r1(-(flowDelta ?? 0))} gpm below the expected ${r1(expectedFlowOut ?? 0)} gpm for ${s.flowConfirmSeconds} s or more`,
    );

  // Once raised, a verdict holds until both indicators are well back (hysteresis): a reading
  // hovering at a threshold must not raise and clear the alarm on every poll.
  const gainStill = unexplained >= s.clearFraction * toleratedGain || (flowDelta ?? 0) >= s.clearFraction * s.flowGainKickGpm;
  const lossStill = -unexplained >= s.clearFraction * toleratedLoss || -(flowDelta ?? 0) >= s.clearFraction * s.flowLossGpm;
  const kick = pitGain || flowGain || (track.kick && gainStill);
  const losses = pitLoss || flowLoss || (track.losses && lossStill);

  return {
    track: { window, previous: reading, pumpsOn, pumpsStoppedAt, pumpsStartedAt, flowGainSince, flowLossSince, kick, losses },
    verdict: {
      activity,
      kick,
      losses,
      reasons,
      windowSeconds: Math.max(span, 1),
      pitChangeBbl: r1(pitChange),
      expectedPitChangeBbl: r1(expected),
      unexplainedPitGainBbl: r1(unexplained),
      toleratedGainBbl: r1(toleratedGain),
      toleratedLossBbl: r1(toleratedLoss),
      expectedFlowOutGpm: expectedFlowOut === undefined ? undefined : r1(expectedFlowOut),
      flowDeltaGpm: flowDelta === undefined ? undefined : r1(flowDelta),
    },
  };
}

/**
 * Pipe run in pushes mud into the pits, pipe pulled takes it (the hole is kept full), new hole
 * takes its capacity; drilling ahead does both (the string fills part of the new hole).
 */
function expectedPitChange(
  start: { bitDepthFt: number | undefined; holeDepthFt: number | undefined },
  now: RigReading,
  v: Volumes,
): number {
  const ran = start.bitDepthFt !== undefined && now.bitDepthFt !== undefined ? now.bitDepthFt - start.bitDepthFt : 0;
  const drilled = start.holeDepthFt !== undefined && now.holeDepthFt !== undefined ? Math.max(0, now.holeDepthFt - start.holeDepthFt) : 0;
  return ran * v.tripDisplacementBblPerFt - drilled * v.holeCapacityBblPerFt;
}

/**
 * Flow out a well in balance gives: the pumps' rate while circulating; with the pumps off, the
 * pipe's displacement while running in (pulling out gives none: the trip tank fills the hole).
 */
function expectedFlowOutGpm(reading: RigReading, previous: RigReading | undefined, pumpsOn: boolean, v: Volumes): number {
  if (pumpsOn) return reading.flowInGpm;
  const speed = bitSpeedFtPerMin(reading, previous) ?? 0;
  return Math.max(0, speed) * v.tripDisplacementBblPerFt * gallonsPerBarrel;
}
