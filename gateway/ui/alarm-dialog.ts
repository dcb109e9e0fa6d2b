import { ApiError, api } from './api.ts';
import { h } from './dom.ts';
import { humanize } from './format.ts';
import type { AlarmState } from './store.ts';

export type AlarmAction = 'acknowledge' | 'shelve' | 'unshelve' | 'suppress' | 'unsuppress';

/** Shelving and suppressing hide an alarm: the reason is required. */
const needsReason = (action: AlarmAction) => action === 'shelve' || action === 'suppress';

const shelfOptions = [
  ['900', '15 minutes'],
  ['3600', '1 hour'],
  ['14400', '4 hours'],
  ['43200', '12 hours'],
  ['86400', '24 hours'],
] as const;

/**
 * Asks for the comment (and, to shelve, for how long), then sends the action. The list
 * changes when the alarm function announces the transition on the live stream, not
 * when this request returns: what the screen shows is what the plant's state is.
 */
export function openAlarmDialog(alarm: AlarmState, action: AlarmAction, sent: (message: string) => void): void {
  const comment = h('textarea', {
    name: 'comment',
    rows: 3,
    maxlength: 1000,
    required: needsReason(action),
    placeholder: needsReason(action) ? 'Why (required)' : 'Comment (optional)',
  });
  const duration = h('select', { name: 'duration' }, ...shelfOptions.map(([value, label]) => h('option', { value }, label)));
  const error = h('p', { class: 'dialog__error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, humanize(action));
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-label': `${humanize(action)} alarm` },
    h(
      'form',
      { method: 'dialog' },
      h('h2', {}, `${humanize(action)}: ${alarm.message}`),
      h(
        'p',
        { class: 'dialog__what' },
        `${alarm.severity} · ${alarm.wellId ?? alarm.deviceId} · ${humanize(alarm.tagId)} · ${alarm.condition}`,
      ),
      action === 'shelve' ? h('label', {}, 'Shelve for ', duration) : null,
      action === 'suppress'
        ? h('p', { class: 'dialog__what' }, 'A suppressed alarm is neither shown as active nor notified until someone unsuppresses it.')
        : null,
      h('label', {}, 'Comment', comment),
      error,
      h(
        'div',
        { class: 'dialog__buttons' },
        h('button', { type: 'button', class: 'button', value: 'cancel', onclick: () => dialog.close() }, 'Cancel'),
        submit,
      ),
    ),
  );
  dialog.addEventListener('close', () => dialog.remove());
  dialog.querySelector('form')?.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const text = comment.value.trim();
    try {
      await api(`/v1/alarms/${encodeURIComponent(alarm.alarmId)}/${action}`, {
        method: 'POST',
        body: { ...(text ? { comment: text } : {}), ...(action === 'shelve' ? { durationSeconds: Number(duration.value) } : {}) },
      });
      dialog.close();
      sent(`${humanize(action)} sent for “${alarm.message}”`);
    } catch (e) {
      error.textContent = e instanceof ApiError ? e.message : 'The gateway cannot be reached.';
      submit.disabled = false;
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  comment.focus();
}
