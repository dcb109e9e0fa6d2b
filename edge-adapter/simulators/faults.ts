/**
 * Faults a field engineer meets, injected on demand:
 *   disconnect   the device stops answering (the simulator drops its connections)
 *   bad-quality  the instrument reports a failure (Modbus exception 4, OPC UA BadSensorFailure)
 *   frozen       the value stops changing (a stuck transmitter)
 *   spike        the value jumps to several times its size, then comes back
 *   seq-gap      the Sparkplug edge node's sequence skips (messages lost on the way)
 *   malformed    an MQTT device publishes payloads that are not what its mapping expects
 * A fault targets one value (W1.TubingPressure), a unit (W1, Rig), a protocol
 * (modbus, opcua, sparkplug, mqtt) or everything (*).
 */
export type FaultKind = 'disconnect' | 'bad-quality' | 'frozen' | 'spike' | 'seq-gap' | 'malformed';
export const faultKinds: readonly FaultKind[] = ['disconnect', 'bad-quality', 'frozen', 'spike', 'seq-gap', 'malformed'];

export interface Fault {
  kind: FaultKind;
  target: string;
  until: number;
}

export class FaultInjector {
  private faults: Fault[] = [];
  private readonly frozen = new Map<string, number>();
  private readonly listeners = new Set<(fault: Fault) => void>();

  inject(kind: FaultKind, target: string, durationMs: number, now = Date.now()): Fault {
    const fault = { kind, target, until: now + durationMs };
    this.faults.push(fault);
    for (const listener of this.listeners) listener(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
    this.frozen.clear();
  }

  /** Called for every new fault (the simulators act on disconnects themselves). */
  onFault(listener: (fault: Fault) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  active(now = Date.now()): Fault[] {
    this.faults = this.faults.filter((f) => f.until > now);
    return [...this.faults];
  }

  covers(kind: FaultKind, name: string, now = Date.now()): boolean {
    return this.active(now).some((f) => f.kind === kind && matches(f.target, name));
  }

  /** The value as the instrument shows it under the active faults. */
  observe(name: string, value: number, now = Date.now()): { value: number; good: boolean } {
    let shown = value;
    if (this.covers('frozen', name, now)) {
      if (!this.frozen.has(name)) this.frozen.set(name, value);
      shown = this.frozen.get(name) ?? value;
    } else this.frozen.delete(name);
    if (this.covers('spike', name, now)) shown = shown === 0 ? 100 : shown * 4;
    return { value: shown, good: !this.covers('bad-quality', name, now) };
  }
}

function matches(target: string, name: string): boolean {
  return target === '*' || target === name || name.startsWith(`${target}.`);
}
