import { describe, expect, it } from 'vitest';
import { FunctionManifest } from './manifest.ts';
import { ConfigFileError, loadYamlConfig } from './yaml-config.ts';

const load = (text: string) => loadYamlConfig(text, 'functions/demo/function.yaml', FunctionManifest);

describe('YAML configuration', () => {
  it('applies the documented defaults to a minimal manifest', () => {
    const manifest = load('name: demo\nsubscribes: [scada.telemetry.raw]\n');
    expect(manifest).toMatchObject({ name: 'demo', publishes: [], startFrom: 'earliest', concurrency: 8, retry: { maxAttempts: 5 } });
    expect(manifest.scaling).toMatchObject({ minReplicas: 1, maxReplicas: 6, lagThreshold: 100 });
  });

  it('points at the line of each wrong value, unknown key and missing key', () => {
    const text = ['name: demo', 'subscribes:', '  - scada.telemetry.raw', '  - Bad Topic', 'batch:', '  maxSize: 0', 'retyr: {}', ''].join(
      '\n',
    );
    let error: unknown;
    try {
      load(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigFileError);
    const problems = (error as ConfigFileError).problems;
    expect(problems.find((p) => p.path === 'subscribes.1')?.line).toBe(4);
    expect(problems.find((p) => p.path === 'batch.maxSize')?.line).toBe(6);
    expect(problems.find((p) => p.message.includes('retyr'))?.line).toBe(7);
    expect((error as Error).message).toContain('functions/demo/function.yaml:4: subscribes.1: a topic is lower-case words');
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => load('name: demo\nsubscribes: [a\n')).toThrow(/function\.yaml:\d+: /);
  });

  it('accepts retry forever for sinks that must wait out their database', () => {
    expect(load('name: demo\nsubscribes: [a.b]\nretry:\n  maxAttempts: forever\n').retry.maxAttempts).toBe('forever');
  });
});
