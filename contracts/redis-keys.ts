/**
 * The Redis layout shared between writers and readers (seed 001): one function writes
 * each key, the gateway and other functions read it. Keys a function keeps for itself
 * (locks, de-duplication, throttles) stay with that function.
 *
 * An asset is a well, or a field for equipment that belongs to no well.
 */
export const redisKeys = {
  /** HASH tagId → JSON { value, quality, status, flags, timestamp, unit, deviceId }. Written by validate. */
  currentValues: (assetId: string) => `telemetry:${assetId}:current`,
  /** ZSET of the last 100 samples of a tag (and a chunk more), score = sample time, member JSON { t, v, q, id, s, f, r }. Written by validate. */
  tagHistory: (assetId: string, tagId: string) => `telemetry:${assetId}:history:${tagId}`,
  /**
   * HASH tagId → how many times that tag's history was written, bumped with every write: a
   * reader that kept a copy knows from one field whether it is still the history. Written by validate.
   */
  tagHistoryVersions: (assetId: string) => `telemetry:${assetId}:history-versions`,
  /** HASH of one alarm's ISA-18.2 state and timers. Written by alarm. */
  alarmState: (alarmId: string) => `alarm:${alarmId}:state`,
  /** ZSET of the alarms an operator must see: worst severity, then latest, last. Written by alarm. */
  activeAlarms: (tenantId: string) => `alarms:active:${tenantId}`,
  /** ZSET of shelved alarms, score = when the shelf runs out. Written by alarm. */
  shelvedAlarms: (tenantId: string) => `alarms:shelved:${tenantId}`,
  /** ZSET of suppressed alarms, score = when they were suppressed. Written by alarm. */
  suppressedAlarms: (tenantId: string) => `alarms:suppressed:${tenantId}`,
  /**
   * HASH of a well's current status: status, reason (when down), since, confirmedAt, profile,
   * tenantId, fieldId (seed 001 `well:{wellId}:state`). Written by well-status.
   */
  wellState: (wellId: string) => `well:${wellId}:state`,
  /**
   * HASH of a drilling well's latest results: wellControl and torqueDrag (JSON of their
   * drilling.calculations events), updatedAt. Written by drilling.
   */
  drillingState: (wellId: string) => `drilling:${wellId}:state`,
  /** LIST of failed notifications, newest first, capped. Written by notify. */
  notifyFailures: (tenantId: string) => `notify:failures:${tenantId}`,
} as const;

/** Redis pub/sub channels of the live views (seed 001 rooms). */
export const liveChannels = {
  well: (wellId: string) => `live:well:${wellId}`,
  field: (fieldId: string) => `live:field:${fieldId}`,
  alarms: (tenantId: string) => `live:alarms:${tenantId}`,
  criticalAlarms: (tenantId: string) => `live:alarms:${tenantId}:critical`,
} as const;
