import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

  /** Starts the watcher; `next()` resolves with the next burst it reports. */
  function start(): { next(): Promise<FunctionChanges> } {
    const waiting: ((changes: FunctionChanges) => void)[] = [];
    const early: FunctionChanges[] = [];
    watcher = watchFunctions(dir, (changes) => (waiting.shift() ?? ((c) => early.push(c)))(changes), { debounceMs: 100 });
    return { next: () => new Promise((r) => (early.length > 0 ? r(early.shift() as FunctionChanges) : waiting.push(r))) };
  }

  it('reports a burst of writes once, with the functions it touched and not those whose tests alone changed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowline-watch-'));
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    const bursts = start();
    writeFileSync(join(dir, 'b', 'handler.test.ts'), 'test'); // before the others: in the same burst or an earlier one
    writeFileSync(join(dir, 'a', 'handler.ts'), 'one');
    writeFileSync(join(dir, 'a', 'helper.ts'), 'two');
    writeFileSync(join(dir, 'a', 'handler.ts'), 'three');
    expect(await bursts.next()).toEqual(new Set(['a']));
  });

  it('keeps hearing a file that an editor saves by renaming a new file over it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowline-watch-'));
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'handler.ts'), 'one');
    const bursts = start();
    for (const text of ['two', 'three']) {
      writeFileSync(join(dir, 'a', '.handler.ts.swp'), text);
      renameSync(join(dir, 'a', '.handler.ts.swp'), join(dir, 'a', 'handler.ts'));
      expect(await bursts.next()).toEqual(new Set(['a']));
    }
    writeFileSync(join(dir, 'a', 'handler.ts'), 'four'); // and an ordinary save after those
    expect(await bursts.next()).toEqual(new Set(['a']));
  });

  it('hears a new folder, the files later written in its subfolders, and its deletion', async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowline-watch-'));
    const bursts = start();
    mkdirSync(join(dir, 'fresh', 'formulas'), { recursive: true });
    writeFileSync(join(dir, 'fresh', 'function.yaml'), 'name: fresh');
    expect(await bursts.next()).toEqual(new Set(['fresh']));
    writeFileSync(join(dir, 'fresh', 'formulas', 'ipr.ts'), 'export {}');
    expect(await bursts.next()).toEqual(new Set(['fresh']));
    rmSync(join(dir, 'fresh'), { recursive: true });
    expect(await bursts.next()).toEqual(new Set(['fresh']));
  });
});
