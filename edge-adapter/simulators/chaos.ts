import { type FaultInjector, type FaultKind, faultKinds } from './faults.ts';
import { gaussian } from './noise.ts';

const targets: Record<FaultKind, readonly string[]> = {
  disconnect: ['modbus', 'opcua', 'sparkplug', 'mqtt'],
  'bad-quality': ['W1.TubingPressure', 'W2.FlowlineTemperature', 'ESP.IntakePressure', 'Rig.HookLoad', 'Separator.LiquidLevel'],
  frozen: ['W1.CasingPressure', 'ESP.MotorTemperature', 'Rig.StandpipePressure', 'Separator.Pressure'],
  spike: ['W2.TubingPressure', 'ESP.MotorCurrent', 'Rig.Torque', 'Separator.GasRate'],
  'seq-gap': ['sparkplug'],
  malformed: ['sparkplug', 'mqtt'],
};

/**
 * Random faults now and then (on average one per `meanIntervalMs`), for a demo or a soak
 * test that should see the adapter and the pipeline cope with them.
 */
export function startChaos(faults: FaultInjector, options: { meanIntervalMs: number; random?: () => number }): () => void {
  const random = options.random ?? Math.random;
  let timer: NodeJS.Timeout;
  const next = () => {
    const delay = Math.max(1000, -Math.log(Math.max(random(), 1e-9)) * options.meanIntervalMs);
    timer = setTimeout(() => {
      const kind = faultKinds[Math.floor(random() * faultKinds.length)] ?? 'spike';
      const candidates = targets[kind];
      const target = candidates[Math.floor(random() * candidates.length)] ?? '*';
      const durationMs = kind === 'spike' ? 1500 : Math.max(3000, 15_000 + gaussian(random, 5000));
      faults.inject(kind, target, durationMs);
      next();
    }, delay);
  };
  next();
  return () => clearTimeout(timer);
}
