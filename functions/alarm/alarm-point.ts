import type { Alarm, AlarmCondition, AlarmState, AlarmTransition, Severity } from '#contracts';

/** One alarm (a tag's condition, e.g. norte-01's tubing_pressure HH): its ISA state and its timers. */
export interface AlarmPoint {
  alarmId: string;
  tenantId: string;
  fieldId: string | undefined;
  wellId: string | undefined;
  deviceId: string;
  tagId: string;
  condition: AlarmCondition;
  severity: Severity;
  state: AlarmState;
  active: boolean;
  pendingSince: number | undefined;
  clearingSince: number | undefined;
  message: string;
  value: number;
  threshold: number;
  unit: string | undefined;
  raisedAt: number | undefined;
  acknowledgedAt: number | undefined;
  acknowledgedBy: string | undefined;
  shelvedUntil: number | undefined;
  lastTransitionAt: number | undefined;
}

export const alarmIdOf = (deviceId: string, tagId: string, condition: AlarmCondition): string => `${deviceId}.${tagId}.${condition}`;

export function newAlarmPoint(
  fields: Pick<AlarmPoint, 'tenantId' | 'fieldId' | 'wellId' | 'deviceId' | 'tagId' | 'condition' | 'severity' | 'threshold' | 'unit'>,
): AlarmPoint {
  return {
    ...fields,
    alarmId: alarmIdOf(fields.deviceId, fields.tagId, fields.condition),
    state: 'NORMAL',
    active: false,
    pendingSince: undefined,
    clearingSince: undefined,
    message: '',
    value: 0,
    raisedAt: undefined,
    acknowledgedAt: undefined,
    acknowledgedBy: undefined,
    shelvedUntil: undefined,
    lastTransitionAt: undefined,
  };
}

const numeric = [
  'pendingSince',
  'clearingSince',
  'value',
  'threshold',
  'raisedAt',
  'acknowledgedAt',
  'shelvedUntil',
  'lastTransitionAt',
] as const;

/** The `alarm:{alarmId}:state` hash (seed 001): strings, absent fields omitted. */
export function toHash(point: AlarmPoint): Record<string, string> {
  const hash: Record<string, string> = {};
  for (const [key, value] of Object.entries(point)) {
    if (value === undefined) continue;
    hash[key] = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  }
  return hash;
}

export function fromHash(hash: Record<string, string>): AlarmPoint | undefined {
  if (!hash.alarmId) return undefined;
  const point = { ...hash, active: hash.active === '1' } as unknown as Record<string, unknown>;
  for (const key of numeric) point[key] = hash[key] === undefined ? undefined : Number(hash[key]);
  for (const key of ['fieldId', 'wellId', 'unit', 'acknowledgedBy'] as const) point[key] = hash[key];
  return point as unknown as AlarmPoint;
}

/** The `scada.alarms` event for a point that just made a transition. */
export function toAlarmEvent(point: AlarmPoint, transition: AlarmTransition, at: number, extra: Partial<Alarm> = {}): Alarm {
  return {
    timestamp: at,
    alarmId: point.alarmId,
    deviceId: point.deviceId,
    tagId: point.tagId,
    severity: point.severity,
    message: point.message,
    value: point.value,
    threshold: point.threshold,
    condition: point.condition,
    transition,
    state: point.state,
    tenantId: point.tenantId,
    ...(point.fieldId ? { fieldId: point.fieldId } : {}),
    ...(point.wellId ? { wellId: point.wellId } : {}),
    ...(point.shelvedUntil !== undefined && point.state === 'SHELVED' ? { shelvedUntil: point.shelvedUntil } : {}),
    ...extra,
  };
}
