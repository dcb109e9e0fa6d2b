/**
 * The one quality scale of Flowline: the OPC DA quality byte (0–255), which most
 * SCADA historians already speak. Bits 7–6 carry the major state; bits 5–2 the reason.
 *
 *   192 GOOD               216 GOOD_LOCAL_OVERRIDE
 *    64 UNCERTAIN           68 UNCERTAIN_LAST_USABLE   80 UNCERTAIN_SENSOR_NOT_ACCURATE
 *                           84 UNCERTAIN_EU_EXCEEDED   88 UNCERTAIN_SUB_NORMAL
 *     0 BAD                  4 BAD_CONFIG_ERROR          8 BAD_NOT_CONNECTED
 *                           12 BAD_DEVICE_FAILURE       16 BAD_SENSOR_FAILURE
 *                           20 BAD_LAST_KNOWN_VALUE     24 BAD_COMM_FAILURE
 *                           28 BAD_OUT_OF_SERVICE
 *
 * OPC UA StatusCodes and Modbus read failures are mapped onto it at the edge
 * (edge-adapter) and checked again by the validate function.
 */
export const Quality = {
  GOOD: 192,
  GOOD_LOCAL_OVERRIDE: 216,
  UNCERTAIN: 64,
  UNCERTAIN_LAST_USABLE: 68,
  UNCERTAIN_SENSOR_NOT_ACCURATE: 80,
  UNCERTAIN_EU_EXCEEDED: 84,
  UNCERTAIN_SUB_NORMAL: 88,
  BAD: 0,
  BAD_CONFIG_ERROR: 4,
  BAD_NOT_CONNECTED: 8,
  BAD_DEVICE_FAILURE: 12,
  BAD_SENSOR_FAILURE: 16,
  BAD_LAST_KNOWN_VALUE: 20,
  BAD_COMM_FAILURE: 24,
  BAD_OUT_OF_SERVICE: 28,
} as const;

export type QualityClass = 'good' | 'uncertain' | 'bad';

/** The major state of a quality byte. Anything outside 0–255 is not a quality. */
export function qualityClass(quality: number): QualityClass {
  const major = quality & 0xc0;
  if (major === 0xc0) return 'good';
  if (major === 0x40) return 'uncertain';
  // 0x80 is reserved in OPC DA; treat it as bad rather than guess.
  return 'bad';
}

/** OPC UA StatusCode (32-bit) → quality byte. Severity lives in the top two bits. */
export function qualityFromOpcUaStatus(statusCode: number): number {
  const severity = statusCode >>> 30; // 0 good, 1 uncertain, 2/3 bad
  const sub = statusCode >>> 16;
  if (severity === 0) return Quality.GOOD;
  if (severity === 1) {
    if (sub === 0x4090 || sub === 0x408f) return Quality.UNCERTAIN_LAST_USABLE; // UncertainLastUsableValue, UncertainNoCommunicationLastUsableValue
    if (sub === 0x4093) return Quality.UNCERTAIN_SENSOR_NOT_ACCURATE; // UncertainSensorNotAccurate
    if (sub === 0x4094) return Quality.UNCERTAIN_EU_EXCEEDED; // UncertainEngineeringUnitsExceeded
    if (sub === 0x4095) return Quality.UNCERTAIN_SUB_NORMAL; // UncertainSubNormal
    return Quality.UNCERTAIN;
  }
  if (sub === 0x808a || sub === 0x80ae) return Quality.BAD_NOT_CONNECTED; // BadNotConnected, BadConnectionClosed
  if (sub === 0x808b) return Quality.BAD_DEVICE_FAILURE; // BadDeviceFailure
  if (sub === 0x808c) return Quality.BAD_SENSOR_FAILURE; // BadSensorFailure
  if (sub === 0x808d) return Quality.BAD_OUT_OF_SERVICE; // BadOutOfService
  if (sub === 0x8089) return Quality.BAD_CONFIG_ERROR; // BadConfigurationError
  if (sub === 0x8005 || sub === 0x800a || sub === 0x8031) return Quality.BAD_COMM_FAILURE; // BadCommunicationError, BadTimeout, BadNoCommunication
  return Quality.BAD;
}

/** Why a Modbus read produced no usable value. */
export type ModbusFailure = 'timeout' | 'connection' | 'exception' | 'decode';

export function qualityFromModbusFailure(failure: ModbusFailure): number {
  switch (failure) {
    case 'timeout':
      return Quality.BAD_COMM_FAILURE;
    case 'connection':
      return Quality.BAD_NOT_CONNECTED;
    case 'exception':
      return Quality.BAD_DEVICE_FAILURE; // the slave answered with an exception code
    case 'decode':
      return Quality.BAD_CONFIG_ERROR; // the register map does not fit what the device sent
  }
}

const classRank: Record<QualityClass, number> = { bad: 0, uncertain: 1, good: 2 };

/**
 * The worse of two quality bytes: bad before uncertain before good, and within a class the
 * lower byte (the plain state before its reasons). A total order, so the worst of a set does
 * not depend on the order it is folded in: compacting a minute in one pass or in two agrees.
 */
export function worseQuality(a: number, b: number): number {
  const ra = classRank[qualityClass(a)];
  const rb = classRank[qualityClass(b)];
  if (ra !== rb) return ra < rb ? a : b;
  return Math.min(a, b);
}
