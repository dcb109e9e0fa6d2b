import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FunctionChanges, type FunctionWatcher, functionOfChange, watchFunctions } from './function-watcher.ts';

describe('which changed paths touch a function', () => {
  it('counts code and manifests, and the folder itself', () => {
    expect(functionOfChange('validate/handler.ts')).toBe('validate');
    expect(functionOfChange('validate/assess.ts')).toBe('validate');
    expect(functionOfChange('calc/formulas/ipr.ts')).toBe('calc');
    expect(functionOfChange('validate/function.yaml')).toBe('validate');
    expect(functionOfChange('new-one')).toBe('new-one');
  });

  it('ignores tests, editor files, other files and folders that are not functions', () => {
    for (const path of [
      'validate/handler.test.ts',
      'validate/.handler.ts.swp',
      'validate/handler.ts~',
      'validate/4913',
      'validate/README.md',
      'README.md',
      '_draft/handler.ts',
      '.git/index',
      'notify/test-support/fake-smtp.test.ts',
    ]) {
      expect(functionOfChange(path), path).toBeUndefined();
    }
  });
});

describe('the functions folder watcher', () => {
  let dir: string;
  let watcher: FunctionWatcher | undefined;
  afterEach(() => {
    watcher?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a burst of writes once, with the functions it touched and not those whose tests alone changed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowline-watch-'));
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    const bursts: FunctionChanges[] = [];
    let seen: () => void = () => {};
    const first = new Promise<void>((r) => {
      seen = r;
    });
    watcher = watchFunctions(
      dir,
      (changes) => {
        bursts.push(changes);
        seen();
      },
      { debounceMs: 100 },
    );
    writeFileSync(join(dir, 'b', 'handler.test.ts'), 'test'); // before the others: in the same burst or an earlier one
    writeFileSync(join(dir, 'a', 'handler.ts'), 'one');
    writeFileSync(join(dir, 'a', 'helper.ts'), 'two');
    writeFileSync(join(dir, 'a', 'handler.ts'), 'three');
    await first;
    expect(bursts).toEqual([new Set(['a'])]);
  });
});
