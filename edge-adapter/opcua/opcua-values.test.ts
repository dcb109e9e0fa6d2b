import { DataType, DataValue, StatusCodes, Variant } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { Quality } from '../../contracts/quality.ts';
import { numericValue, readDataValue } from './opcua-values.ts';

describe('OPC UA values', () => {
  it('turns variants into numbers', () => {
    expect(numericValue(12.5)).toBe(12.5);
    expect(numericValue(true)).toBe(1);
    expect(numericValue([1, 5])).toBe(0x1_0000_0005);
    expect(numericValue('pump 1')).toBeUndefined();
    expect(numericValue(Number.NaN)).toBeUndefined();
  });

  it('maps the status code onto the quality scale and keeps the source timestamp', () => {
    const sourceTimestamp = new Date('2026-01-08T10:00:00.000Z');
    const good = readDataValue(new DataValue({ value: new Variant({ dataType: DataType.Double, value: 3.5 }), sourceTimestamp }));
    expect(good).toEqual({ value: 3.5, quality: Quality.GOOD, timestamp: sourceTimestamp.getTime() });
    const failed = readDataValue(
      new DataValue({
        value: new Variant({ dataType: DataType.Double, value: 3.5 }),
        statusCode: StatusCodes.BadSensorFailure,
        sourceTimestamp,
      }),
    );
    expect(failed.quality).toBe(Quality.BAD_SENSOR_FAILURE);
    const lastUsable = readDataValue(
      new DataValue({ value: new Variant({ dataType: DataType.Float, value: 1 }), statusCode: StatusCodes.UncertainLastUsableValue }),
      42,
    );
    expect(lastUsable).toMatchObject({ quality: Quality.UNCERTAIN_LAST_USABLE, timestamp: 42 });
  });

  it('calls a good text value a configuration error rather than inventing a number', () => {
    const text = readDataValue(new DataValue({ value: new Variant({ dataType: DataType.String, value: 'RUN' }) }), 7);
    expect(text).toEqual({ value: undefined, quality: Quality.BAD_CONFIG_ERROR, timestamp: 7 });
  });
});
