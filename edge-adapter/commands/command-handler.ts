import type { Logger } from 'pino';
import { AuditLog } from '../../contracts/audit-log.ts';
import { Command, type CommandOutcomeCode, CommandResult, type CommandStatus } from '../../contracts/command.ts';
import { Identifier } from '../../contracts/telemetry.ts';
import { derivedEventId } from '../../runtime/envelope.ts';
import type { DeviceDriver } from '../device-driver.ts';
import type { EdgeMetrics } from '../ops/edge-metrics.ts';
import type { JournalEvent, SampleJournal } from '../store-and-forward/sample-journal.ts';
import { type GuardPolicy, judgeCommand } from './command-guard.ts';

export interface CommandHandlerOptions {
  site: string;
  policy: GuardPolicy;
  drivers: ReadonlyMap<string, DeviceDriver>;
  journal: SampleJournal;
  topics: { commandResults: string; audit: string };
  /** CloudEvents source of what this adapter publishes, e.g. flowline/edge/pad-7. */
  source: string;
  metrics: EdgeMetrics;
  log: Logger;
  /** The journal has new events to forward. */
  onRecorded: () => void;
  now?: () => number;
}

export type Handled = { handled: false; why: 'other-site' | 'duplicate' | 'unaddressable' } | { handled: true; result: CommandResult };

/** Just enough of a malformed command to answer it: its id and its site. */
const Addressable = Command.pick({ commandId: true, siteId: true }).loose();

/**
 * Decides one command from `scada.commands`: refused by the guard rails, applied to the
 * device, or failed there. Every decision is answered on the results topic and audited,
 * both through the store-and-forward buffer, so neither is lost while Kafka is away.
 * Commands for other sites are not ours and are left alone.
 */
export class CommandHandler {
  private readonly options: CommandHandlerOptions;
  private readonly now: () => number;

  constructor(options: CommandHandlerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  async handle(data: unknown): Promise<Handled> {
    const { site, log } = this.options;
    const parsed = Command.safeParse(data);
    if (!parsed.success) {
      const address = Addressable.safeParse(data);
      const problem = parsed.error.issues.map((i) => `${i.path.join('.') || '(command)'}: ${i.message}`).join('; ');
      if (!address.success || address.data.siteId !== site) {
        if (!address.success) log.warn({ problem }, 'ignored a command that names no command id and site');
        return { handled: false, why: address.success ? 'other-site' : 'unaddressable' };
      }
      if (this.options.journal.hasHandledCommand(address.data.commandId)) return { handled: false, why: 'duplicate' };
      const partial = data as Partial<Command>;
      return { handled: true, result: this.record(partial, address.data.commandId, 'refused', 'invalid', `invalid command: ${problem}`) };
    }
    const command = parsed.data;
    if (command.siteId !== site) return { handled: false, why: 'other-site' };
    if (this.options.journal.hasHandledCommand(command.commandId)) {
      log.debug({ commandId: command.commandId }, 'command already decided; redelivery ignored');
      return { handled: false, why: 'duplicate' };
    }
    const verdict = judgeCommand(command, this.options.policy, this.now());
    if (!verdict.allowed)
      return { handled: true, result: this.record(command, command.commandId, 'refused', verdict.code, verdict.reason) };
    const driver = this.options.drivers.get(command.deviceId);
    const unrepresentable = driver ? driver.checkWrite(command.tagId, command.value) : `no driver for ${command.deviceId}`;
    if (unrepresentable)
      return { handled: true, result: this.record(command, command.commandId, 'refused', 'not-representable', unrepresentable) };
    try {
      await driver?.write(command.tagId, command.value);
    } catch (error) {
      return {
        handled: true,
        result: this.record(
          command,
          command.commandId,
          'failed',
          'write-failed',
          `the device did not take the write: ${(error as Error).message}`,
        ),
      };
    }
    return {
      handled: true,
      result: this.record(
        command,
        command.commandId,
        'applied',
        'applied',
        `wrote ${command.value} to ${command.deviceId}/${command.tagId}`,
      ),
    };
  }

  private record(
    command: Partial<Command>,
    commandId: string,
    status: CommandStatus,
    code: CommandOutcomeCode,
    reason: string,
  ): CommandResult {
    const { site, topics, journal, metrics, log } = this.options;
    const now = this.now();
    const deviceId = Identifier.safeParse(command.deviceId).success ? command.deviceId : undefined;
    const tagId = Identifier.safeParse(command.tagId).success ? command.tagId : undefined;
    const requester = Command.shape.requestedBy.safeParse(command.requestedBy);
    const value = typeof command.value === 'number' && Number.isFinite(command.value) ? command.value : undefined;
    const result = CommandResult.parse({
      commandId,
      timestamp: now,
      siteId: site,
      ...(deviceId ? { deviceId } : {}),
      ...(tagId ? { tagId } : {}),
      ...(value !== undefined ? { value } : {}),
      status,
      code,
      reason: reason.slice(0, 1000),
      ...(requester.success ? { requestedBy: requester.data } : {}),
    });
    const audit = AuditLog.parse({
      auditId: derivedEventId(['audit', 'command', commandId]),
      timestamp: now,
      source: this.options.source,
      actor: requester.success ? requester.data : { userId: 'unknown', role: 'unknown' },
      action: 'scada.command.write',
      resource: [site, deviceId ?? '?', tagId ?? '?'].join('/'),
      outcome: status === 'applied' ? 'success' : status === 'refused' ? 'refused' : 'failure',
      reason: reason.slice(0, 1000),
      correlationId: commandId,
      details: { code, value: value ?? null, reason: command.reason ?? null },
    });
    const key = deviceId ?? site;
    const events: JournalEvent[] = [
      { topic: topics.commandResults, key, id: derivedEventId(['command-result', commandId]), time: now, data: result },
      { topic: topics.audit, key, id: audit.auditId, time: now, data: audit },
    ];
    journal.recordCommand(commandId, now, events);
    this.options.onRecorded();
    metrics.commands.inc({ status, code });
    const fields = { commandId, deviceId, tagId, value, code, role: requester.success ? requester.data.role : undefined };
    if (status === 'applied') log.info(fields, reason);
    else log.warn(fields, `command ${status}: ${reason}`);
    return result;
  }
}
