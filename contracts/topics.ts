import type { z } from 'zod';
import { Alarm, AlarmAction } from './alarm.ts';
import { AuditLog } from './audit-log.ts';
import { DrillingCalculation, IprCalculated, ProductionCalculation } from './calculation.ts';
import { Command, CommandResult } from './command.ts';
import { CompactedMinute, CompactedMinuteValidated } from './compacted-minute.ts';
import { DailyProduction } from './daily-production.ts';
import { TelemetryRaw, TelemetryValidated } from './telemetry.ts';
import { WellStatusChanged } from './well-status.ts';
import { WellTestCompleted, WellTestCreated } from './well-test.ts';

/**
 * Topic → schema of its events' `data`. Topic names follow `<domain>.<entity>.<event-type>`
 * (seed 000). Dead letters go to `<topic>.dlq` and carry the original event unchanged.
 */
export const topics = {
  'scada.telemetry.raw': TelemetryRaw,
  'scada.telemetry.validated': TelemetryValidated,
  'scada.telemetry.compacted': CompactedMinute,
  'scada.telemetry.compacted.validated': CompactedMinuteValidated,
  'scada.alarms': Alarm,
  'scada.commands': Command,
  'scada.commands.results': CommandResult,
  'system.audit-log': AuditLog,
  'scada.alarm-actions': AlarmAction,
  'well-testing.test-created': WellTestCreated,
  'well-testing.test-completed': WellTestCompleted,
  'well-testing.ipr-calculated': IprCalculated,
  'drilling.calculations': DrillingCalculation,
  'production.calculations': ProductionCalculation,
  'production.well-status-changed': WellStatusChanged,
  'production.daily-production': DailyProduction,
} as const satisfies Record<string, z.ZodType>;

export type Topic = keyof typeof topics;
export type TopicData<T extends Topic> = z.infer<(typeof topics)[T]>;
