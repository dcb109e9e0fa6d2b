export * from './alarm.ts';
export * from './audit-log.ts';
export * from './calculation.ts';
export * from './command.ts';
export * from './quality.ts';
export * from './telemetry.ts';
export * from './topics.ts';
export * from './well-test.ts';
