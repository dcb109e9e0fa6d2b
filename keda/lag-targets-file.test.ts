import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLagTargets } from './lag-targets-file.ts';

describe("the lag exporter's targets file", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowline-targets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("gives the chart's thresholds, with the manifest defaults for what it leaves out", async () => {
    writeFileSync(
      join(dir, 'targets.yaml'),
      [
        'functions:',
        '  - name: validate',
        '    consumerGroup: validate',
        '    subscribes: [scada.telemetry.raw]',
        '    offsetResetPolicy: latest',
        '    scaling: { minReplicas: 1, maxReplicas: 6, lagThreshold: 2000 }',
        '    resources: { cpu: 200m }',
      ].join('\n'),
    );
    expect(await readLagTargets(join(dir, 'targets.yaml'))).toEqual([
      {
        function: 'validate',
        consumerGroup: 'validate',
        topics: ['scada.telemetry.raw'],
        scaling: {
          minReplicas: 1,
          maxReplicas: 6,
          lagThreshold: 2000,
          activationLagThreshold: 10,
          pollingIntervalSeconds: 15,
          cooldownPeriodSeconds: 120,
        },
        lagThreshold: 2000,
        activationLagThreshold: 10,
        offsetResetPolicy: 'latest',
      },
    ]);
  });

  it("carries the ScaledObject's replica bounds when the chart wrote them", async () => {
    writeFileSync(
      join(dir, 'targets.yaml'),
      [
        'functions:',
        '  - name: validate',
        '    consumerGroup: validate',
        '    subscribes: [scada.telemetry.raw]',
        '    offsetResetPolicy: latest',
        '    scaling: { minReplicas: 1, maxReplicas: 6 }',
        '    bounds: { minReplicas: 1, maxReplicas: 4 }',
      ].join('\n'),
    );
    expect((await readLagTargets(join(dir, 'targets.yaml')))[0]?.bounds).toEqual({ minReplicas: 1, maxReplicas: 4 });
  });

  it('says which line is wrong', async () => {
    writeFileSync(
      join(dir, 'targets.yaml'),
      'functions:\n  - name: validate\n    consumerGroup: validate\n    subscribes: []\n    offsetResetPolicy: newest\n',
    );
    await expect(readLagTargets(join(dir, 'targets.yaml'))).rejects.toThrow(
      /targets\.yaml:4: functions\.0\.subscribes[\s\S]*targets\.yaml:5: functions\.0\.offsetResetPolicy/,
    );
  });
});
