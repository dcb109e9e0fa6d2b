import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceError } from './process.ts';
import { installSchemathesis } from './schemathesis.ts';

/** FLOWLINE_SCHEMATHESIS names an `st` of one's own; a wrong one is named, not silently replaced by an install. */
describe('installSchemathesis', () => {
  const saved = process.env.FLOWLINE_SCHEMATHESIS;
  afterEach(() => {
    if (saved === undefined) delete process.env.FLOWLINE_SCHEMATHESIS;
    else process.env.FLOWLINE_SCHEMATHESIS = saved;
  });

  it('uses FLOWLINE_SCHEMATHESIS as it is', () => {
    const own = join(tmpdir(), `st-${process.pid}`);
    writeFileSync(own, '#!/bin/sh\n');
    process.env.FLOWLINE_SCHEMATHESIS = own;
    expect(installSchemathesis()).toBe(own);
  });

  it('says when FLOWLINE_SCHEMATHESIS points nowhere', () => {
    process.env.FLOWLINE_SCHEMATHESIS = join(tmpdir(), 'no-such-st');
    expect(() => installSchemathesis()).toThrow(ServiceError);
    expect(() => installSchemathesis()).toThrow(/FLOWLINE_SCHEMATHESIS is set to .*no-such-st, which does not exist/);
  });
});
