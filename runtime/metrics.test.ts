import { describe, expect, it } from 'vitest';
import { createRuntimeMetrics, functionMetrics } from './metrics.ts';

describe("a function's own metrics", () => {
  it('are the same series when the function is bound again in the same process, counts kept', async () => {
    const { registry } = createRuntimeMetrics({ processMetrics: false });
    functionMetrics(registry, 'calc-x').counter('results', 'results written', ['kind']).inc({ kind: 'ipr' });
    // A reload binds the function again: its setup asks for the same counter.
    const again = functionMetrics(registry, 'calc-x').counter('results', 'results written', ['kind']);
    again.inc({ kind: 'ipr' });
    const text = await registry.getSingleMetricAsString('flowline_fn_calc_x_results');
    expect(text).toContain('flowline_fn_calc_x_results{kind="ipr"} 2');
  });

  it('says what to do when the same name comes back as another kind or with other labels', () => {
    const { registry } = createRuntimeMetrics({ processMetrics: false });
    functionMetrics(registry, 'alarm').counter('raised', 'alarms raised', ['severity']);
    expect(() => functionMetrics(registry, 'alarm').gauge('raised', 'alarms raised')).toThrow(
      'function "alarm": metric "raised" is already registered in this process as a Counter with labels [severity]; use another name, or restart the process to change its kind or labels',
    );
    expect(() => functionMetrics(registry, 'alarm').counter('raised', 'alarms raised', ['severity', 'site'])).toThrow(
      'with labels [severity]',
    );
  });
});
