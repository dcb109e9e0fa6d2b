import { api } from './api.ts';
import { h, replace } from './dom.ts';
import { formatAge, formatClockOffset, formatTime, formatValue, humanize } from './format.ts';
import type { View } from './main.ts';
import { serverNow, store } from './store.ts';

interface ClockSkewedDevice {
  deviceId: string;
  wellId: string | null;
  count: number;
  firstSeenAt: number;
  lastSeenAt: number;
  latestSkewMs: number;
}

interface QuarantinedSample {
  deviceId: string;
  tagId: string;
  ts: number;
  receivedAt: number;
  skewMs: number;
  value: number;
}

interface Quarantine {
  devices: ClockSkewedDevice[];
  samples: QuarantinedSample[];
}

const refreshMs = 30_000;
const samplesShown = 50;

/**
 * Devices whose clock is wrong, from /v1/telemetry/quarantine: validate keeps their
 * samples out of current values and history (flag clock-skew) and persist quarantines
 * them, so without this screen they just look silent. Per device how far off its clock
 * is and since when, then the latest quarantined samples. Reloaded every 30 s.
 */
export const clocksView: View = (container) => {
  const status = h('p', { class: 'notice', role: 'status' });
  const devices = h('tbody');
  const samples = h('tbody');
  const table = (caption: string, testid: string, columns: string[], body: HTMLElement) =>
    h(
      'table',
      { class: 'status', 'data-testid': testid },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
      body,
    );
  replace(
    container,
    h('a', { href: '#/system', class: 'button button--quiet' }, '← System'),
    h(
      'p',
      { class: 'lead' },
      'Samples stamped too far from their arrival are kept out of values, history and alarms until the device’s clock is set right. Last 7 days.',
    ),
    status,
    table('Devices with a wrong clock', 'clock-devices', ['Device', 'Well', 'Clock', 'Since', 'Latest', 'Samples kept out'], devices),
    table('Latest quarantined samples', 'quarantined-samples', ['Arrived', 'Device', 'Tag', 'Device time', 'Value', 'Clock'], samples),
  );

  const where = (wellId: string | null) => (wellId ? (store.assets.get(wellId)?.name ?? wellId) : '—');
  const render = (q: Quarantine) => {
    const now = serverNow();
    replace(
      devices,
      ...(q.devices.length === 0
        ? [h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'Every device’s clock is within bounds.'))]
        : q.devices.map((d) =>
            h(
              'tr',
              { 'data-device': d.deviceId, class: 'row--warn' },
              h('th', { scope: 'row' }, d.deviceId),
              h('td', {}, where(d.wellId)),
              h('td', { class: 'warn', 'data-testid': 'clock-offset' }, formatClockOffset(d.latestSkewMs)),
              h('td', { 'data-testid': 'since', title: formatTime(d.firstSeenAt) }, formatTime(d.firstSeenAt)),
              h('td', { title: formatTime(d.lastSeenAt) }, `${formatAge(now - d.lastSeenAt)} ago`),
              h('td', { class: 'num', 'data-testid': 'count' }, String(d.count)),
            ),
          )),
    );
    replace(
      samples,
      ...(q.samples.length === 0
        ? [h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No sample is quarantined.'))]
        : q.samples.map((s) =>
            h(
              'tr',
              { 'data-device': s.deviceId, 'data-tag': s.tagId },
              h('td', { title: formatTime(s.receivedAt) }, `${formatAge(now - s.receivedAt)} ago`),
              h('th', { scope: 'row' }, s.deviceId),
              h('td', {}, humanize(s.tagId)),
              h('td', {}, formatTime(s.ts)),
              h('td', { class: 'num' }, formatValue(s.value)),
              h('td', {}, formatClockOffset(s.skewMs)),
            ),
          )),
    );
  };

  const load = async () => {
    try {
      // Up to a minute past the gateway's now: a sample validate stamped an instant ago is included.
      const q = await api<Quarantine>(`/v1/telemetry/quarantine?limit=${samplesShown}&to=${serverNow() + 60_000}`);
      status.textContent = '';
      render(q);
    } catch (error) {
      status.textContent = `Cannot read the quarantine: ${(error as Error).message}`;
    }
  };
  void load();
  const timer = window.setInterval(() => void load(), refreshMs);
  return () => window.clearInterval(timer);
};
