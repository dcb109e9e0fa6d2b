/** How values, times and ages read on a control-room screen. */

export function formatValue(value: number): string {
  const magnitude = Math.abs(value);
  const digits = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 3;
  return value.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Events per second: two decimals at most, 0 as 0. */
export function formatRate(n: number): string {
  return n.toLocaleString(undefined, { maximumFractionDigits: n < 10 ? 2 : 1 });
}

/** Counts (lag, dead letters) read as whole numbers. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString();
}

/** 4 s, 12 min, 3 h 05 min, 2 d: short enough for a table cell, exact enough to act on. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return `${hours} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d`;
}

export function formatTime(epochMs: number): string {
  return new Date(epochMs).toLocaleString(undefined, {
    hour12: false,
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** tubing_pressure → Tubing pressure; esp_motor_current → ESP motor current. */
export function humanize(id: string): string {
  const words = id.split(/[_\-.]+/).filter(Boolean);
  return words
    .map((w, i) => (['esp', 'mse', 'ipr', 'rtu', 'vfd'].includes(w) ? w.toUpperCase() : i === 0 ? w[0]?.toUpperCase() + w.slice(1) : w))
    .join(' ');
}

/** A device clock's error (its timestamp − arrival): "30 d ahead", "2 h 05 min behind". */
export function formatClockOffset(skewMs: number): string {
  return `${formatAge(Math.abs(skewMs))} ${skewMs >= 0 ? 'ahead' : 'behind'}`;
}
