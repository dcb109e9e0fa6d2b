import { createEvent, encodeEvent } from '../runtime/envelope.ts';
import type { OutboundMessage } from '../runtime/settle.ts';

/**
 * The built-in telemetry source of `npm start` when no edge simulators run: three
 * producing wells on one pad, each an RTU reporting every second. Values follow slow
 * physical drifts with noise; now and then a well's tubing pressure climbs past its
 * high limits and comes back (alarms raised and cleared), and one RTU goes silent
 * for a while (its values turn stale).
 */
export interface SimulatedWell {
  deviceId: string;
  tags: Record<string, { base: number; amplitude: number; noise: number; decimals: number }>;
}

export const simulatedWells: SimulatedWell[] = [1, 2, 3].map((n) => ({
  deviceId: `rtu-w0${n}`,
  tags: {
    tubing_pressure: { base: 820 + n * 40, amplitude: 25, noise: 4, decimals: 1 }, // psi
    casing_pressure: { base: 410 + n * 15, amplitude: 10, noise: 2, decimals: 1 }, // psi
    flowline_temperature: { base: 138 + n, amplitude: 3, noise: 0.3, decimals: 2 }, // °F
    oil_rate: { base: 430 + n * 35, amplitude: 20, noise: 5, decimals: 1 }, // bbl/d
    esp_frequency: { base: 55, amplitude: 0.5, noise: 0.05, decimals: 2 }, // Hz
    esp_motor_current: { base: 41 + n, amplitude: 1.5, noise: 0.3, decimals: 2 }, // A
    esp_intake_pressure: { base: 950 - n * 30, amplitude: 15, noise: 3, decimals: 1 }, // psi
    esp_discharge_pressure: { base: 2650 + n * 20, amplitude: 20, noise: 4, decimals: 1 }, // psi
  },
}));

export interface SimulatedSource {
  describe(): string;
  stop(): void;
}

export function startSimulatedWells(options: {
  publish: (messages: OutboundMessage[]) => void;
  intervalMs: number;
  now?: () => number;
}): SimulatedSource {
  const now = options.now ?? Date.now;
  const started = now();
  const timer = setInterval(() => {
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
  return {
    describe: () =>
      `built-in simulator: ${simulatedWells.length} wells (${simulatedWells.map((w) => w.deviceId).join(', ')}), ${Object.keys(simulatedWells[0]?.tags ?? {}).length} tags each, every ${options.intervalMs / 1000} s`,
    stop: () => clearInterval(timer),
  };
  function gaussian(): number {
    // Box–Muller: noise that looks like a sensor's, not like a uniform die.
    return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
  }
}
