import { type AlarmAction, openAlarmDialog } from './alarm-dialog.ts';
import { may } from './api.ts';
import { h, replace, setText } from './dom.ts';
import { formatAge, formatTime, formatValue, humanize } from './format.ts';
import type { View } from './main.ts';
import { type AlarmState, on, serverNow, sortedAlarms, store } from './store.ts';

const conditionLabel: Record<string, string> = {
  HH: 'high-high',
  H: 'high',
  L: 'low',
  LL: 'low-low',
  ROC: 'rate of change',
  STALE: 'stale value',
  BAD_QUALITY: 'bad quality',
};

const stateLabel: Record<string, string> = {
  UNACK_ACTIVE: 'Unacknowledged',
  ACK_ACTIVE: 'Acknowledged',
  RTN_UNACK: 'Cleared, unacknowledged',
  SHELVED: 'Shelved',
  SUPPRESSED: 'Suppressed',
};

/** Hidden from the active list: shelved for a while, or suppressed until put back in service. */
const isHidden = (alarm: AlarmState) => alarm.state === 'SHELVED' || alarm.state === 'SUPPRESSED';

/**
 * The alarm list: worst first, with state and age; acknowledge (with a comment) for
 * roles that may, shelve and unshelve, suppress and unsuppress for roles that may;
 * shelved and suppressed alarms in lists of their own. Updated by the live stream.
 */
export const alarmsView: View = (container) => {
  const notice = h('p', { class: 'notice', role: 'status', 'aria-live': 'polite' });
  const active = h('tbody');
  const shelved = h('tbody');
  const suppressed = h('tbody');
  const table = (body: HTMLElement, caption: string, testid: string) =>
    h(
      'table',
      { class: 'alarms', 'data-testid': testid },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Severity', 'State', 'Where', 'Alarm', 'Value', 'Raised', 'Acknowledged', ''].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      body,
    );
  replace(
    container,
    notice,
    table(active, 'Active alarms', 'active-alarms'),
    table(shelved, 'Shelved', 'shelved-alarms'),
    table(suppressed, 'Suppressed', 'suppressed-alarms'),
  );
  let pending: { alarmId: string; state: string } | undefined;

  const actions = (alarm: AlarmState) => {
    const buttons: HTMLElement[] = [];
    const act = (action: AlarmAction, label: string, primary = false) =>
      h(
        'button',
        {
          type: 'button',
          class: `button${primary ? ' button--primary' : ''}`,
          'data-action': action,
          onclick: () =>
            openAlarmDialog(alarm, action, (message) => {
              pending = { alarmId: alarm.alarmId, state: alarm.state };
              setText(notice, `${message}; waiting for the alarm function…`);
            }),
        },
        label,
      );
    if ((alarm.state === 'UNACK_ACTIVE' || alarm.state === 'RTN_UNACK') && may('alarms.acknowledge'))
      buttons.push(act('acknowledge', 'Acknowledge', true));
    if (!isHidden(alarm) && may('alarms.shelve')) buttons.push(act('shelve', 'Shelve'));
    if (alarm.state === 'SHELVED' && may('alarms.shelve')) buttons.push(act('unshelve', 'Unshelve'));
    if (alarm.state !== 'SUPPRESSED' && may('alarms.suppress')) buttons.push(act('suppress', 'Suppress'));
    if (alarm.state === 'SUPPRESSED' && may('alarms.suppress')) buttons.push(act('unsuppress', 'Unsuppress'));
    return h('td', {}, h('div', { class: 'alarms__actions' }, ...buttons));
  };

  const row = (alarm: AlarmState, now: number) =>
    h(
      'tr',
      { 'data-alarm': alarm.alarmId, 'data-state': alarm.state, 'data-severity': alarm.severity },
      h('td', {}, h('span', { class: `severity severity--${alarm.severity.toLowerCase()}` }, alarm.severity)),
      h('td', { class: 'alarms__state', 'data-testid': 'state' }, stateLabel[alarm.state] ?? alarm.state),
      h(
        'td',
        {},
        (alarm.wellId && store.assets.get(alarm.wellId)?.name) || alarm.wellId || alarm.deviceId,
        h('br'),
        h('small', {}, `${humanize(alarm.tagId)} · ${conditionLabel[alarm.condition] ?? alarm.condition}`),
      ),
      h('td', {}, alarm.message),
      h('td', { class: 'num' }, `${formatValue(alarm.value)} / ${formatValue(alarm.threshold)}${alarm.unit ? ` ${alarm.unit}` : ''}`),
      h('td', { title: alarm.raisedAt ? formatTime(alarm.raisedAt) : '' }, alarm.raisedAt ? formatAge(now - alarm.raisedAt) : '—'),
      h(
        'td',
        { class: 'alarms__ack', 'data-testid': 'acknowledged' },
        alarm.acknowledgedBy ? `by ${alarm.acknowledgedBy}` : '',
        alarm.acknowledgedAt ? h('small', {}, ` ${formatTime(alarm.acknowledgedAt)}`) : null,
        alarm.acknowledgedComment ? h('q', { class: 'alarms__comment' }, alarm.acknowledgedComment) : null,
        alarm.state === 'SHELVED' && alarm.shelvedUntil ? `until ${formatTime(alarm.shelvedUntil)}` : null,
      ),
      actions(alarm),
    );

  const render = () => {
    const now = serverNow();
    // The request was only sent; say it is done when the alarm function's transition arrives.
    const sent = pending && store.alarms.get(pending.alarmId);
    if (pending && (!sent || sent.state !== pending.state)) {
      setText(
        notice,
        sent ? `Done: the alarm is now ${(stateLabel[sent.state] ?? sent.state).toLowerCase()}.` : 'Done: the alarm is back to normal.',
      );
      pending = undefined;
    }
    const fill = (body: HTMLElement, list: AlarmState[], empty: string) =>
      replace(body, ...(list.length ? list.map((a) => row(a, now)) : [h('tr', {}, h('td', { colspan: 8, class: 'empty' }, empty))]));
    fill(
      active,
      sortedAlarms((a) => !isHidden(a)),
      'No active alarms.',
    );
    fill(
      shelved,
      sortedAlarms((a) => a.state === 'SHELVED'),
      'No shelved alarms.',
    );
    fill(
      suppressed,
      sortedAlarms((a) => a.state === 'SUPPRESSED'),
      'No suppressed alarms.',
    );
  };
  render();
  const offAlarms = on('alarms', render);
  const tick = window.setInterval(render, 5_000);
  return () => {
    offAlarms();
    window.clearInterval(tick);
  };
};
