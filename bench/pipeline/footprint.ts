import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One process as the kernel accounts it: resident memory and CPU time since it started. */
export interface ProcessSample {
  rssMb: number;
  /** RssAnon: the process's own pages. The rest of RSS is files mapped from disk (node's binary, shared libraries), shared between processes and reclaimable. */
  privateMb: number;
  cpuSeconds: number;
}

// utime and stime in /proc/<pid>/stat are in clock ticks (100 a second on every Linux we know; asked once).
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * Read from /proc, not from the process's /metrics: the same figure for every process
 * and no scrape adding load to the process it measures. Linux only; undefined once the
 * process is gone.
 */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields from after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rssMb: kb('VmRSS') / 1024, privateMb: kb('RssAnon') / 1024, cpuSeconds: (utime + stime) / ticksPerSecond };
  } catch {
    return undefined;
  }
}

/** Peak RSS and CPU seconds of a set of processes over a round, sampled every second. */
export interface Footprint {
  /** Per process: peak RSS (MB) during the round, CPU seconds spent in it. */
  read(): Record<string, { peakRssMb: number; cpuSeconds: number }>;
  stop(): void;
}

export function watchFootprint(pids: Record<string, number>): Footprint {
  const start = new Map<string, ProcessSample>();
  const peak = new Map<string, number>();
  const take = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const s = sampleProcess(pid);
      if (!s) continue;
      if (!start.has(name)) start.set(name, s);
      peak.set(name, Math.max(peak.get(name) ?? 0, s.rssMb));
    }
  };
  take();
  const timer = setInterval(take, 1_000);
  return {
    read() {
      take();
      const out: Record<string, { peakRssMb: number; cpuSeconds: number }> = {};
      for (const [name, pid] of Object.entries(pids)) {
        const now = sampleProcess(pid);
        const first = start.get(name);
        out[name] = { peakRssMb: peak.get(name) ?? 0, cpuSeconds: now && first ? now.cpuSeconds - first.cpuSeconds : 0 };
      }
      return out;
    },
    stop: () => clearInterval(timer),
  };
}
