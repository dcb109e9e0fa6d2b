import { describe, expect, it } from 'vitest';
import { versionedUrl } from './reload-hooks.ts';

// The hook itself runs only in a real Node process (vitest has its own module runner):
// local-dev/function-reloader.test.ts covers it end to end. This is its decision alone.
const root = 'file:///app/functions/';
const parent = 'file:///app/functions/validate/handler.ts?flowline-reload=7';

describe('which imports a reload re-evaluates', () => {
  it('passes the version on to a module of the same function folder, however deep', () => {
    expect(versionedUrl('file:///app/functions/validate/assess.ts', parent, root)).toBe(
      'file:///app/functions/validate/assess.ts?flowline-reload=7',
    );
    expect(versionedUrl('file:///app/functions/validate/rules/range.ts', parent, root)).toBe(
      'file:///app/functions/validate/rules/range.ts?flowline-reload=7',
    );
    expect(
      versionedUrl('file:///app/functions/validate/handler-helpers.ts', 'file:///app/functions/validate/assess.ts?flowline-reload=7', root),
    ).toBe('file:///app/functions/validate/handler-helpers.ts?flowline-reload=7');
  });

  it('leaves the runtime, other folders, other functions and packages to their one instance', () => {
    for (const url of [
      'file:///app/runtime/index.ts',
      'file:///app/config/load.ts',
      'file:///app/functions/alarm/lifecycle.ts',
      'file:///app/functions/validated/x.ts', // a name that only starts like the folder
      'file:///app/node_modules/zod/index.js',
      'node:fs',
    ]) {
      expect(versionedUrl(url, parent, root)).toBe(url);
    }
  });

  it('adds nothing for a parent without a version or outside the function folders', () => {
    expect(versionedUrl('file:///app/functions/validate/assess.ts', 'file:///app/functions/validate/handler.ts', root)).toBe(
      'file:///app/functions/validate/assess.ts',
    );
    expect(versionedUrl('file:///app/functions/validate/assess.ts', 'file:///app/local-dev/dev.ts?flowline-reload=3', root)).toBe(
      'file:///app/functions/validate/assess.ts',
    );
    expect(versionedUrl('file:///app/functions/validate/assess.ts', undefined, root)).toBe('file:///app/functions/validate/assess.ts');
  });
});
