import type { CompactedMinuteValidated, TelemetryValidated } from '#contracts';

/**
 * A good, validated sample of norte-01's RTU (the example asset registry), for the
 * functions' tests: each test overrides only what it is about.
 */
export function validatedSample(
  overrides: Partial<TelemetryValidated> & Pick<TelemetryValidated, 'timestamp' | 'value'>,
): TelemetryValidated {
  return {
    deviceId: 'rtu-w01',
    tagId: 'tubing_pressure',
    quality: 192,
    sourceProtocol: 'MODBUS',
    status: 'good',
    flags: [],
    unit: 'psi',
    tenantId: 'acme-energy',
    fieldId: 'campo-norte',
    wellId: 'norte-01',
    receivedAt: overrides.timestamp,
    ...overrides,
  };
}

/**
 * A compacted piece of norte-01's RTU, validated (three samples of one minute that the
 * edge buffer folded into one row while the link was down): each test overrides what it is about.
 */
export function compactedPiece(
  overrides: Partial<CompactedMinuteValidated> & Pick<CompactedMinuteValidated, 'firstTimestamp' | 'lastTimestamp'>,
): CompactedMinuteValidated {
  return {
    deviceId: 'rtu-w01',
    tagId: 'tubing_pressure',
    sourceProtocol: 'MODBUS',
    count: 3,
    min: 50,
    max: 400,
    sum: 600,
    last: 150,
    worstQuality: 192,
    status: 'good',
    tenantId: 'acme-energy',
    wellId: 'norte-01',
    receivedAt: overrides.lastTimestamp + 3_600_000,
    ...overrides,
  };
}
