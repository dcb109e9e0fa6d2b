import type { TelemetryValidated } from '#contracts';

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
