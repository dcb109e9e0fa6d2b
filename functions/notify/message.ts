import type { Notification } from './notification.ts';

export interface RenderedMessage {
  subject: string;
  text: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const minutes = (ms: number) => Math.floor(ms / 60_000);

function place(a: { tenantId: string; fieldId?: string | undefined; wellId?: string | undefined; deviceId: string }): string {
  return [a.fieldId, a.wellId, a.deviceId].filter(Boolean).join(' / ');
}

/** The human words of a notification: an e-mail's subject and body, a webhook's `text`. */
export function renderMessage(n: Notification): RenderedMessage {
  if (n.kind === 'alarm') {
    const a = n.alarm;
    return {
      subject: `${a.severity} ${a.transition}: ${a.wellId ?? a.deviceId} ${a.tagId} ${a.condition}${a.flood ? ' (alarm flood)' : ''}`,
      text: [
        `${a.severity} alarm ${a.transition} at ${iso(a.timestamp)}`,
        `${a.message}`,
        `where: ${place(a)} (tenant ${a.tenantId})`,
        `tag: ${a.tagId}, condition ${a.condition}: value ${a.value}, threshold ${a.threshold}`,
        `state: ${a.state}${a.actor ? `, by ${a.actor}` : ''}${a.comment ? ` ("${a.comment}")` : ''}`,
        `alarm id: ${a.alarmId}`,
      ].join('\n'),
    };
  }
  if (n.kind === 'escalation') {
    const a = n.alarm;
    return {
      subject: `ESCALATION: ${a.severity} ${a.wellId ?? a.deviceId} ${a.tagId} ${a.condition} unacknowledged for ${minutes(n.unacknowledgedMs)} min`,
      text: [
        `Nobody has acknowledged this ${a.severity} alarm, raised at ${iso(a.raisedAt)} (${minutes(n.unacknowledgedMs)} minutes ago).`,
        `This is the ${n.afterMinutes}-minute escalation.`,
        `${a.message}`,
        `where: ${place(a)} (tenant ${a.tenantId})`,
        `tag: ${a.tagId}, condition ${a.condition}: value ${a.value}, threshold ${a.threshold}`,
        `alarm id: ${a.alarmId}`,
      ].join('\n'),
    };
  }
  const { digest } = n;
  const total = digest.counts.flood + digest.counts['rate-limit'];
  const why = [
    digest.counts.flood > 0 ? `${digest.counts.flood} during an alarm flood` : '',
    digest.counts['rate-limit'] > 0 ? `${digest.counts['rate-limit']} over this channel's rate limit` : '',
  ].filter(Boolean);
  const unlisted = total - digest.alarms.length;
  return {
    subject: `${total} alarm notification${total === 1 ? '' : 's'} summarised for ${n.tenantId} (${why.join(', ')})`,
    text: [
      `Between ${iso(n.since)} and ${iso(n.until)}, ${total} notification${total === 1 ? ' was' : 's were'} held back instead of sent one by one: ${why.join(', ')}.`,
      '',
      ...digest.alarms.map(
        (a) => `${iso(a.timestamp)}  ${a.severity.padEnd(8)} ${a.what.padEnd(10)} ${a.wellId ?? ''} ${a.message} [${a.alarmId}]`,
      ),
      ...(unlisted > 0 ? [`… and ${unlisted} more not listed.`] : []),
      '',
      'The active alarm list in the operator UI is complete.',
    ].join('\n'),
  };
}

/** The JSON a webhook receives: the words, and the facts for machines. */
export function webhookPayload(n: Notification, channelId: string): Record<string, unknown> {
  const { subject, text } = renderMessage(n);
  const base = { notificationId: n.id, kind: n.kind, tenantId: n.tenantId, channel: channelId, subject, text };
  if (n.kind === 'alarm') return { ...base, alarm: n.alarm };
  if (n.kind === 'escalation')
    return { ...base, alarm: n.alarm, escalation: { afterMinutes: n.afterMinutes, unacknowledgedMs: n.unacknowledgedMs } };
  return {
    ...base,
    summary: { since: n.since, until: n.until, counts: n.digest.counts, alarms: n.digest.alarms },
  };
}
