/**
 * What the screens show, kept in one place and updated from two sources: snapshots
 * (REST) and live events (WebSocket). Both carry sample or transition times, and the
 * newer one wins, so their order of arrival does not matter.
 */

export interface Sample {
  t: number;
  v: number;
  q: number;
}

export interface TagState {
  assetId: string;
  tagId: string;
  deviceId: string;
  value: number;
  quality: number;
  status: 'good' | 'suspect' | 'bad';
  flags: string[];
  timestamp: number;
  unit: string | undefined;
  staleAfterMs: number;
  recent: Sample[];
}

export interface AssetState {
  assetId: string;
  kind: 'well' | 'field';
  name: string;
  fieldId: string;
  tags: Map<string, TagState>;
}

export interface AlarmState {
  alarmId: string;
  tenantId: string;
  wellId?: string | undefined;
  deviceId: string;
  tagId: string;
  condition: string;
  severity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
  state: string;
  message: string;
  value: number;
  threshold: number;
  unit?: string | undefined;
  raisedAt?: number | undefined;
  acknowledgedAt?: number | undefined;
  acknowledgedBy?: string | undefined;
  acknowledgedComment?: string | undefined;
  shelvedUntil?: number | undefined;
  lastTransitionAt?: number | undefined;
}

/** An edge adapter's answer to a command (scada.commands.results), as GET /v1/commands/results and the system room carry it. */
export interface CommandResult {
  commandId: string;
  timestamp: number;
  siteId: string;
  deviceId?: string | undefined;
  tagId?: string | undefined;
  value?: number | undefined;
  status: 'applied' | 'refused' | 'failed';
  code: string;
  reason: string;
  requestedBy?: { userId: string; role: string } | undefined;
}

export type WellStatusName = 'producing' | 'shut-in' | 'down' | 'testing' | 'drilling';

/** One stretch of a well's day in one status (GET /v1/wells/{wellId}/status `timeline`); no `to`: still in it. */
export interface StatusStretch {
  status: WellStatusName;
  reason?: string | undefined;
  from: number;
  to?: number | undefined;
}

/** A well's current status and its timeline since `from` (the start of the operator's day). */
export interface WellStatusState {
  current: StatusStretch | undefined;
  from: number;
  timeline: StatusStretch[];
}

/**
 * A rig's latest results, as the drilling function's `drilling:update` live event carries them
 * (drilling.calculations, kinds well-control and torque-drag): the fields the drilling panel shows.
 */
export interface WellControlView {
  timestamp: number;
  activity: string;
  kick: boolean;
  losses: boolean;
  reasons: string[];
  windowSeconds: number;
  unexplainedPitGainBbl: number;
  toleratedGainBbl: number;
  toleratedLossBbl: number;
  flowDeltaGpm?: number | undefined;
}

export interface TorqueDragView {
  timestamp: number;
  activity: string;
  bitDepthFt: number;
  frictionFactor: number;
  hookLoadTrippingOutKlbf: number;
  hookLoadTrippingInKlbf: number;
  hookLoadRotatingKlbf: number;
  torqueRotatingKftLbf: number;
  measured?:
    | { mode: string; hookLoadKlbf?: number; torqueKftLbf?: number; backCalculatedFrictionFactor?: number; reason?: string }
    | undefined;
  frictionTrendPerThousandFt?: number | undefined;
}

export interface DrillingState {
  wellControl: WellControlView | undefined;
  torqueDrag: TorqueDragView | undefined;
}

/** A well test as GET /v1/wells/{wellId}/tests and the `well-test:update` live event carry it. */
export interface WellTestView {
  testId: string;
  wellId: string;
  deviceId: string;
  state: 'running' | 'completed' | 'inconclusive';
  createdAt: number;
  plannedMinutes: number;
  maxMinutes: number;
  elapsedMinutes: number;
  readings: number;
  waitingFor: string[];
  averages: Partial<Record<'oilRate' | 'gasRate' | 'waterRate' | 'bottomholePressure' | 'wellheadPressure', number>>;
  judgedAt?: number | undefined;
  endedAt?: number | undefined;
}

export type Topic = 'values' | 'alarms' | 'link' | 'status' | 'commands' | 'wellStatus' | 'drilling' | 'wellTests' | 'calculations';

export const store = {
  assets: new Map<string, AssetState>(),
  /** Alarms an operator must see, shelved and suppressed ones, by id. */
  alarms: new Map<string, AlarmState>(),
  /** Wells' statuses, by well id, once a screen asked for them. */
  wellStatuses: new Map<string, WellStatusState>(),
  /** Drilling wells' latest well-control and torque-and-drag results, by well id, from the live rooms. */
  drilling: new Map<string, DrillingState>(),
  /** Each well's latest test (null: it has none), by well id, once a screen asked for it. */
  wellTests: new Map<string, WellTestView | null>(),
  /** Calc's latest results that came live (`calculation:{kind}` events), by well id and kind (ipr, esp, gas-lift, mse). */
  calculations: new Map<string, Map<string, unknown>>(),
  /** The latest command results, newest first. */
  commandResults: [] as CommandResult[],
  /** Server clock minus browser clock: ages are measured on the gateway's clock. */
  offsetMs: 0,
  linkUp: false,
  linkText: 'connecting…',
  status: undefined as unknown,
};

const bus = new EventTarget();
export const on = (topic: Topic, listener: () => void): (() => void) => {
  bus.addEventListener(topic, listener);
  return () => bus.removeEventListener(topic, listener);
};
export const emit = (topic: Topic) => bus.dispatchEvent(new Event(topic));

export const serverNow = () => Date.now() + store.offsetMs;
export const syncClock = (serverTime: number) => {
  store.offsetMs = serverTime - Date.now();
};

const recentLimit = 100;

/** A tag's newest sample (from a snapshot or a live event); an older one only joins the sparkline. */
export function applySample(
  assetId: string,
  sample: Omit<TagState, 'assetId' | 'recent' | 'staleAfterMs'> & { staleAfterMs?: number; recent?: Sample[] },
) {
  const asset = store.assets.get(assetId);
  if (!asset) return;
  const known = asset.tags.get(sample.tagId);
  const recent = sample.recent ?? known?.recent ?? [];
  if (!sample.recent && !recent.some((s) => s.t === sample.timestamp)) {
    recent.push({ t: sample.timestamp, v: sample.value, q: sample.quality });
    recent.sort((a, b) => a.t - b.t);
    if (recent.length > recentLimit) recent.splice(0, recent.length - recentLimit);
  }
  if (known && known.timestamp > sample.timestamp) {
    known.recent = recent;
    return;
  }
  asset.tags.set(sample.tagId, {
    ...sample,
    assetId,
    unit: sample.unit,
    staleAfterMs: sample.staleAfterMs ?? known?.staleAfterMs ?? 30_000,
    recent,
  });
}

const rank: Record<AlarmState['severity'], number> = { CRITICAL: 4, HIGH: 3, MEDIUM: 2, LOW: 1 };

/** Worst first, then the most recently raised: the order of the alarm function's own list. */
export function sortedAlarms(filter: (a: AlarmState) => boolean): AlarmState[] {
  return [...store.alarms.values()]
    .filter(filter)
    .sort((a, b) => rank[b.severity] - rank[a.severity] || (b.raisedAt ?? 0) - (a.raisedAt ?? 0));
}

/** An alarm event of seed 001 (`alarm:new|ack|clear|update`, data: the scada.alarms Alarm). */
export function applyAlarmEvent(event: Record<string, unknown>): void {
  const id = String(event.alarmId);
  const at = Number(event.timestamp);
  const known = store.alarms.get(id);
  if (known?.lastTransitionAt !== undefined && known.lastTransitionAt > at) return;
  const state = String(event.state);
  if (state === 'NORMAL') {
    store.alarms.delete(id);
    return;
  }
  const transition = String(event.transition);
  store.alarms.set(id, {
    ...known,
    alarmId: id,
    tenantId: String(event.tenantId),
    wellId: typeof event.wellId === 'string' ? event.wellId : known?.wellId,
    deviceId: String(event.deviceId),
    tagId: String(event.tagId),
    condition: String(event.condition),
    severity: event.severity as AlarmState['severity'],
    state,
    message: String(event.message),
    value: Number(event.value),
    threshold: Number(event.threshold),
    raisedAt: transition === 'raised' ? at : (known?.raisedAt ?? at),
    ...(transition === 'acknowledged'
      ? {
          acknowledgedAt: at,
          acknowledgedBy: String(event.actor ?? ''),
          acknowledgedComment: typeof event.comment === 'string' ? event.comment : undefined,
        }
      : transition === 'raised'
        ? { acknowledgedAt: undefined, acknowledgedBy: undefined, acknowledgedComment: undefined }
        : {}),
    shelvedUntil: typeof event.shelvedUntil === 'number' ? event.shelvedUntil : state === 'SHELVED' ? known?.shelvedUntil : undefined,
    lastTransitionAt: at,
  });
}

const commandResultsShown = 50;

/** Command results from a snapshot or the live room: one row per command, newest first. */
export function applyCommandResults(results: readonly CommandResult[]): void {
  const byId = new Map(store.commandResults.map((r) => [r.commandId, r]));
  for (const result of results) {
    const known = byId.get(result.commandId);
    if (!known || known.timestamp <= result.timestamp) byId.set(result.commandId, result);
  }
  store.commandResults = [...byId.values()].sort((a, b) => b.timestamp - a.timestamp).slice(0, commandResultsShown);
}

/**
 * A `well:status` live event (the production.well-status-changed change): the well's current
 * status, and its timeline cut at the change's `since`. An event older than the current status
 * (a resync replaying history) changes nothing.
 */
export function applyWellStatusChange(event: Record<string, unknown>): void {
  const known = store.wellStatuses.get(String(event.wellId));
  if (!known) return;
  enterStatus(known, {
    status: event.status as WellStatusName,
    reason: typeof event.reason === 'string' ? event.reason : undefined,
    from: Number(event.since),
  });
}

/** The well entered `change`: the stretch before it ends there, and it is the current one. */
export function enterStatus(state: WellStatusState, change: StatusStretch): void {
  if (state.current && state.current.from > change.from) return;
  const timeline = state.timeline.filter((s) => s.from < change.from);
  const last = timeline.at(-1);
  if (last && (last.to === undefined || last.to > change.from)) last.to = change.from;
  timeline.push({ ...change, to: undefined });
  state.current = change;
  state.timeline = timeline;
}

/** A `drilling:update` live event: each result it carries replaces the well's, unless that one is newer. */
export function applyDrillingUpdate(event: Record<string, unknown>): void {
  const wellId = String(event.wellId);
  const known: DrillingState = store.drilling.get(wellId) ?? { wellControl: undefined, torqueDrag: undefined };
  const wellControl = event.wellControl as WellControlView | undefined;
  const torqueDrag = event.torqueDrag as TorqueDragView | undefined;
  if (wellControl && (!known.wellControl || known.wellControl.timestamp <= wellControl.timestamp)) known.wellControl = wellControl;
  if (torqueDrag && (!known.torqueDrag || known.torqueDrag.timestamp <= torqueDrag.timestamp)) known.torqueDrag = torqueDrag;
  store.drilling.set(wellId, known);
}

/** A `calculation:{kind}` live event: calc's newest result of that kind for the well (cache-and-announce sends only the latest). */
export function applyCalculation(kind: string, data: Record<string, unknown>): void {
  const wellId = String(data.wellId);
  const known = store.calculations.get(wellId) ?? new Map<string, unknown>();
  known.set(kind, data);
  store.calculations.set(wellId, known);
}
