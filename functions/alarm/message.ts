import type { AlarmCondition, AlarmTransition } from '#contracts';

const wording: Record<AlarmCondition, string> = {
  HH: 'high-high',
  H: 'high',
  L: 'low',
  LL: 'low-low',
  ROC: 'changing too fast',
  STALE: 'stale',
  BAD_QUALITY: 'bad quality',
};

const round = (n: number) => Number(n.toFixed(2)).toString();

/** The line an operator reads in the alarm list, e.g. "Norte-01 tubing_pressure high-high: 1523.4 psi > 1450 psi". */
export function alarmMessage(input: {
  label: string;
  tagId: string;
  condition: AlarmCondition;
  transition: AlarmTransition;
  value: number;
  threshold: number;
  unit: string | undefined;
}): string {
  const unit = input.unit ? ` ${input.unit}` : '';
  const head = `${input.label} ${input.tagId} ${wording[input.condition]}`;
  if (input.transition === 'cleared') return `${head} back to normal: ${describe(input, unit)}`;
  return `${head}: ${describe(input, unit)}`;
}

function describe(input: { condition: AlarmCondition; value: number; threshold: number }, unit: string): string {
  switch (input.condition) {
    case 'HH':
    case 'H':
      return `${round(input.value)}${unit} (limit ${round(input.threshold)}${unit})`;
    case 'L':
    case 'LL':
      return `${round(input.value)}${unit} (limit ${round(input.threshold)}${unit})`;
    case 'ROC':
      return `${round(input.value)}${unit}/min (limit ${round(input.threshold)}${unit}/min)`;
    case 'STALE':
      return `no new value for ${Math.round(input.value)} s (limit ${round(input.threshold)} s)`;
    case 'BAD_QUALITY':
      return `quality bad`;
  }
}
