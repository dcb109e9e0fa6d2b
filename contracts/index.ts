export * from './alarm.ts';
export * from './quality.ts';
export * from './telemetry.ts';
export * from './topics.ts';
