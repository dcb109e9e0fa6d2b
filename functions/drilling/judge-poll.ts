import type { DrillingCalculation, InputQuality, TelemetryValidated, WellControlCalculated } from '#contracts';
import { currentValuesResultHeader, Quality } from '#contracts';
import type { FlowlineEvent } from '#runtime';
import { type TorqueDragModel, WellControl } from '../../config/drilling-model.ts';
import type { WellModel } from '../../config/well-models.ts';
import { type RigReading, rigActivity } from './rig-activity.ts';
import type { Publication, RigTracking } from './rig-store.ts';
import { steelDisplacementBblPerFt } from './torque-drag.ts';
import { torqueDragResult } from './torque-drag-result.ts';
import { type Volumes, watchWellControl } from './well-control.ts';

/** The tags a rig's kick_detected and losses_detected samples go out under: alarm-rules name them. */
export const wellControlTags = { kick: 'kick_detected', losses: 'losses_detected' } as const;

/** The watch's defaults: the tag names and activity thresholds when a well models only torque and drag. */
const defaultWellControl = WellControl.parse({});

type Input = keyof RigReading & keyof WellControl['tags'];
type RigInput = Input | 'rotarySpeedRpm' | 'surfaceTorqueKftLbf';

/** A drilling well as the function sees it: its rig, the tag of each input, its settings and volumes. */
export interface DrillingRig {
  deviceId: string;
  tagOf: Record<RigInput, string>;
  watchedTags: ReadonlySet<string>;
  wellControl: WellControl | undefined;
  torqueDrag: TorqueDragModel | undefined;
  volumes: Volumes;
}

/** The well's rig when its model asks for the kick watch or torque and drag; undefined otherwise. */
export function rigOf(model: WellModel | undefined): DrillingRig | undefined {
  const drilling = model?.drilling;
  if (!drilling || (!drilling.wellControl && !drilling.torqueDrag)) return undefined;
  const rigTags = (drilling.wellControl ?? defaultWellControl).tags;
  const tagOf: Record<RigInput, string> = {
    ...rigTags,
    rotarySpeedRpm: drilling.tags.rotarySpeedRpm,
    surfaceTorqueKftLbf: drilling.tags.surfaceTorqueKftLbf,
  };
  const top = drilling.torqueDrag?.sections.at(-1);
  const bore = top && drilling.torqueDrag?.floatInString ? top.idIn ** 2 / 1029.4 : 0;
  return {
    deviceId: drilling.deviceId,
    tagOf,
    watchedTags: new Set(Object.values(tagOf)),
    wellControl: drilling.wellControl,
    torqueDrag: drilling.torqueDrag,
    volumes: {
      // Configured, or the top section's steel (and bore behind a float): the pipe that crosses the rotary table on a trip.
      tripDisplacementBblPerFt:
        drilling.wellControl?.tripDisplacementBblPerFt ?? (top ? steelDisplacementBblPerFt(top.weightLbPerFt) + bore : 0),
      // Capacity of a gauge hole, in²→bbl/ft: d² / 1029.4.
      holeCapacityBblPerFt: drilling.bitDiameterIn ** 2 / 1029.4,
    },
  };
}

type SampleEvent = FlowlineEvent<'scada.telemetry.validated', TelemetryValidated>;

export interface Judged {
  tracking: RigTracking;
  publications: Publication[];
  results: DrillingCalculation[];
  skipped: string[];
}

/**
 * One poll of a rig: its values into the rig's latest values, then the kick watch (its verdicts
 * as kick_detected / losses_detected samples when they change, its result at least every
 * publishEverySeconds) and torque and drag (at most every everySeconds).
 */
export function judgePoll(rig: DrillingRig, before: RigTracking, poll: readonly [SampleEvent, ...SampleEvent[]], now: number): Judged {
  const first = poll[0].data;
  const timestamp = first.timestamp;
  const tracking: RigTracking = { ...withValues(before, poll), judgedAtClock: true };
  const tags = tracking.tags;
  const well = { wellId: first.wellId as string, tenantId: first.tenantId, fieldId: first.fieldId };
  const value = (input: RigInput) => tags[rig.tagOf[input]]?.value;
  const pit = value('pitVolumeBbl');
  const flowIn = value('flowInGpm');
  const skipped: string[] = [];
  if (pit === undefined || flowIn === undefined) {
    skipped.push(`no ${pit === undefined ? rig.tagOf.pitVolumeBbl : rig.tagOf.flowInGpm} from ${rig.deviceId} yet`);
    return { tracking: { ...tracking, judgedAtClock: false }, publications: [], results: [], skipped };
  }
  const reading: RigReading = {
    timestamp,
    pitVolumeBbl: pit,
    flowInGpm: flowIn,
    flowOutGpm: value('flowOutGpm'),
    bitDepthFt: value('bitDepthFt'),
    holeDepthFt: value('holeDepthFt'),
    hookLoadKlbf: value('hookLoadKlbf'),
    rotarySpeedRpm: value('rotarySpeedRpm'),
    surfaceTorqueKftLbf: value('surfaceTorqueKftLbf'),
  };
  const quality: InputQuality = Object.values(rig.tagOf).some((t) => tags[t]?.suspect) ? 'suspect' : 'good';
  const input = { newestTimestamp: timestamp, quality, deviceId: rig.deviceId };
  const publications: Publication[] = [];
  const results: DrillingCalculation[] = [];
  const publishResult = (result: DrillingCalculation) => {
    results.push(result);
    publications.push({ topic: 'drilling.calculations', key: well.wellId, data: result });
  };

  // Without the kick watch the previous reading is still kept: the bit's speed tells a trip.
  if (!rig.wellControl) tracking.watch = { ...before.watch, previous: reading };
  if (rig.wellControl) {
    const s = rig.wellControl;
    const firstSeen = before.watch.previous === undefined;
    const { track, verdict } = watchWellControl(before.watch, reading, s, rig.volumes);
    tracking.watch = track;
    const changed = firstSeen || verdict.kick !== before.watch.kick || verdict.losses !== before.watch.losses;
    for (const which of ['kick', 'losses'] as const)
      if (firstSeen || verdict[which] !== before.watch[which])
        publications.push({
          topic: 'scada.telemetry.validated',
          key: rig.deviceId,
          data: indicatorSample(first, rig.deviceId, wellControlTags[which], verdict[which], quality, now),
        });
    if (changed || before.lastWellControlAt === undefined || timestamp - before.lastWellControlAt >= s.publishEverySeconds * 1000) {
      tracking.lastWellControlAt = timestamp;
      const { expectedFlowOutGpm, flowDeltaGpm, ...rest } = verdict;
      const result: WellControlCalculated = {
        ...currentValuesResultHeader('well-control', well, input, now),
        ...rest,
        pitVolumeBbl: pit,
        flowInGpm: flowIn,
        ...(reading.flowOutGpm === undefined ? {} : { flowOutGpm: reading.flowOutGpm }),
        ...(expectedFlowOutGpm === undefined ? {} : { expectedFlowOutGpm }),
        ...(flowDeltaGpm === undefined ? {} : { flowDeltaGpm }),
      };
      publishResult(result);
    }
  }

  const model = rig.torqueDrag;
  const due = before.lastTorqueDragAt === undefined || timestamp - before.lastTorqueDragAt >= (model?.everySeconds ?? 0) * 1000;
  if (model && due && reading.bitDepthFt !== undefined && reading.bitDepthFt > 0) {
    const activity = rigActivity(reading, before.watch.previous, rig.wellControl ?? defaultWellControl);
    try {
      const { result, trend } = torqueDragResult(
        well,
        model,
        { ...reading, bitDepthFt: reading.bitDepthFt },
        activity,
        { deviceId: rig.deviceId, quality, trend: before.frictionTrend },
        now,
      );
      tracking.lastTorqueDragAt = timestamp;
      tracking.frictionTrend = trend;
      publishResult(result);
    } catch (error) {
      // A bit below the survey, say: the configuration's gap, not the sample's fault.
      if (!(error instanceof RangeError)) throw error;
      skipped.push(`torque and drag: ${error.message}`);
    }
  }
  return { tracking, publications, results, skipped };
}

/** A poll's values into the rig's latest values, its time the rig's clock. */
export function withValues(before: RigTracking, poll: readonly SampleEvent[]): RigTracking {
  const tags = { ...before.tags };
  let clock = before.clock;
  for (const { data } of poll) {
    tags[data.tagId] = { value: data.value, timestamp: data.timestamp, suspect: data.status === 'suspect' };
    clock = Math.max(clock ?? data.timestamp, data.timestamp);
  }
  return { ...before, clock, judgedAtClock: clock === before.clock && before.judgedAtClock, tags };
}

/** The derived 0/1 sample the alarm function judges: stamped with the poll's time, under the rig. */
function indicatorSample(
  cause: TelemetryValidated,
  deviceId: string,
  tagId: string,
  on: boolean,
  quality: InputQuality,
  now: number,
): TelemetryValidated {
  return {
    timestamp: cause.timestamp,
    deviceId,
    tagId,
    value: on ? 1 : 0,
    quality: quality === 'good' ? Quality.GOOD : Quality.UNCERTAIN,
    sourceProtocol: cause.sourceProtocol,
    status: quality,
    flags: quality === 'good' ? [] : ['quality-uncertain'],
    tenantId: cause.tenantId,
    ...(cause.fieldId ? { fieldId: cause.fieldId } : {}),
    ...(cause.wellId ? { wellId: cause.wellId } : {}),
    receivedAt: now,
  };
}
