import { describe, expect, it } from 'vitest';
import { checkMetricValue } from './metric-write.ts';

describe('a value written to a Sparkplug metric', () => {
  it.each([
    [50, 'UInt16', undefined],
    [-1, 'UInt16', /outside UInt16/],
    [70_000, 'UInt16', /outside UInt16/],
    [12.5, 'Int32', /not a whole number/],
    [1, 'Boolean', undefined],
    [0.5, 'Boolean', /0 or 1/],
    [48.25, 'Float', undefined],
    [1e39, 'Float', /outside Float/],
    [1e39, 'Double', undefined],
    [1, 'String', /String: commands write numbers/],
  ] as const)('%s as %s', (value, datatype, problem) => {
    const found = checkMetricValue(value, datatype);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});
