import { createEvent, encodeEvent } from '../runtime/envelope.ts';
import type { OutboundMessage } from '../runtime/settle.ts';

/**
 * The built-in telemetry source of `npm start` when no edge simulators run: four
 * producing wells on one pad (three on ESPs, one on gas lift) and a rig, each an RTU
 * reporting every second. Values follow slow
 * physical drifts with noise; now and then a well's tubing pressure climbs past its
 * high limits and comes back (alarms raised and cleared), and one RTU goes silent
 * for a while (its values turn stale).
 */
export interface SimulatedWell {
  deviceId: string;
  tags: Record<string, { base: number; amplitude: number; noise: number; decimals: number }>;
}

export const simulatedWells: SimulatedWell[] = [
  ...[1, 2, 3].map((n) => ({
    deviceId: `rtu-w0${n}`,
    tags: {
      tubing_pressure: { base: 820 + n * 40, amplitude: 25, noise: 1.5, decimals: 1 }, // psi
      casing_pressure: { base: 410 + n * 15, amplitude: 10, noise: 1, decimals: 1 }, // psi
      flowline_temperature: { base: 138 + n, amplitude: 3, noise: 0.3, decimals: 2 }, // °F
      oil_rate: { base: 430 + n * 35, amplitude: 20, noise: 5, decimals: 1 }, // bbl/d
      esp_frequency: { base: 55, amplitude: 0.5, noise: 0.05, decimals: 2 }, // Hz
      esp_motor_current: { base: 41 + n, amplitude: 1.5, noise: 0.3, decimals: 2 }, // A
      esp_intake_pressure: { base: 950 - n * 30, amplitude: 15, noise: 3, decimals: 1 }, // psi
      esp_discharge_pressure: { base: 2650 + n * 20, amplitude: 20, noise: 4, decimals: 1 }, // psi
    },
  })),
  {
    // norte-04 on gas lift: the inputs of the gas-lift calculation.
    deviceId: 'rtu-w04',
    tags: {
      tubing_pressure: { base: 250, amplitude: 10, noise: 1, decimals: 1 }, // psi
      casing_pressure: { base: 1085, amplitude: 5, noise: 1, decimals: 1 }, // psi, the injection annulus
      oil_rate: { base: 455, amplitude: 15, noise: 4, decimals: 1 }, // bbl/d
      gas_rate: { base: 810, amplitude: 20, noise: 5, decimals: 1 }, // Mscf/d, formation + injected
      gas_injection_rate: { base: 600, amplitude: 15, noise: 3, decimals: 1 }, // Mscf/d
      bottomhole_pressure: { base: 1350, amplitude: 20, noise: 2, decimals: 1 }, // psi
    },
  },
  {
    // The rig drilling norte-07: the inputs of the mechanical specific energy.
    deviceId: 'rig-07',
    tags: {
      weight_on_bit: { base: 25, amplitude: 4, noise: 0.5, decimals: 2 }, // klbf
      rotary_speed: { base: 120, amplitude: 10, noise: 1, decimals: 1 }, // rpm
      surface_torque: { base: 8, amplitude: 1, noise: 0.2, decimals: 2 }, // kft.lbf
      rate_of_penetration: { base: 60, amplitude: 15, noise: 2, decimals: 1 }, // ft/h
    },
  },
];

/** A stabilized well test for `wellId`, as a test separator would report it: the input of the IPR. */
export function simulatedWellTest(wellId: string, at: number): Record<string, unknown> {
  const n = Number(wellId.slice(-1)) || 1;
  const wobble = Math.sin(at / 600_000 + n);
  return {
    testId: `test-${wellId}-${at}`,
    wellId,
    tenantId: 'acme-energy',
    fieldId: 'campo-norte',
    timestamp: at,
    startedAt: at - 8 * 3600_000,
    stabilizationHours: 8,
    method: 'test-separator',
    oilRateStbd: Math.round(480 + n * 35 + 20 * wobble),
    waterRateBbld: Math.round(470 + n * 20),
    flowingBottomholePressurePsia: Math.round(1650 + n * 60 + 30 * wobble),
    reservoirPressurePsia: 2750 + n * 50,
    bubblePointPressurePsia: 1800,
    wellheadPressurePsig: 880 + n * 40,
  };
}

export interface SimulatedSource {
  describe(): string;
  stop(): void;
}

export function startSimulatedWells(options: {
  publish: (messages: OutboundMessage[]) => void;
  intervalMs: number;
  /** False when the edge adapter's simulators feed telemetry: only the well tests come from here. */
  telemetry?: boolean;
  now?: () => number;
}): SimulatedSource {
  const now = options.now ?? Date.now;
  const started = now();
  const timer = setInterval(() => {
    if (options.telemetry === false) return;
    const t = now();
    const elapsed = (t - started) / 1000;
    const messages: OutboundMessage[] = [];
    for (const [index, well] of simulatedWells.entries()) {
      // rtu-w03 drops off the network for 40 s of every 180 s.
      if (well.deviceId === 'rtu-w03' && elapsed % 180 > 120 && elapsed % 180 < 160) continue;
      for (const [tagId, tag] of Object.entries(well.tags)) {
        let value = tag.base + tag.amplitude * Math.sin(elapsed / (60 + index * 17)) + tag.noise * gaussian();
        // rtu-w01's tubing pressure rises past H and HH between 60 s and 100 s of every 150 s.
        if (well.deviceId === 'rtu-w01' && tagId === 'tubing_pressure') {
          const phase = elapsed % 150;
          if (phase > 60 && phase < 100) value += Math.min(1, (phase - 60) / 15) * 700;
        }
        const data = {
          timestamp: t,
          deviceId: well.deviceId,
          tagId,
          value: Number(value.toFixed(tag.decimals)),
          quality: 192,
          sourceProtocol: 'SIMULATOR' as const,
        };
        const event = createEvent({ source: 'flowline/simulated-wells', type: 'scada.telemetry.raw', data, partitionkey: well.deviceId });
        messages.push({ topic: 'scada.telemetry.raw', key: well.deviceId, value: encodeEvent(event).toString('utf8') });
      }
    }
    options.publish(messages);
  }, options.intervalMs);
  // A well test every 90 s, the wells in turn, so calc produces IPRs while you watch.
  let tests = 0;
  const publishWellTest = () => {
    const wellId = `norte-0${(tests++ % 3) + 1}`;
    const event = createEvent({
      source: 'flowline/simulated-wells',
      type: 'well-testing.test-completed',
      data: simulatedWellTest(wellId, now()),
      partitionkey: wellId,
    });
    options.publish([{ topic: 'well-testing.test-completed', key: wellId, value: encodeEvent(event).toString('utf8') }]);
  };
  const firstTest = setTimeout(publishWellTest, 5_000);
  const wellTests = setInterval(publishWellTest, 90_000);
  return {
    describe: () =>
      options.telemetry === false
        ? 'a well test every 90 s'
        : `built-in simulator: ${simulatedWells.map((w) => w.deviceId).join(', ')} every ${options.intervalMs / 1000} s, a well test every 90 s`,
    stop: () => {
      clearInterval(timer);
      clearInterval(wellTests);
      clearTimeout(firstTest);
    },
  };
  function gaussian(): number {
    // Box–Muller: noise that looks like a sensor's, not like a uniform die.
    return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
  }
}
