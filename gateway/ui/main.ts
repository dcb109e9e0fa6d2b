import { api, currentSession, may, resumeSession, signOut } from './api.ts';
import { h, replace, setClass, setText } from './dom.ts';
import { LiveLink } from './live-link.ts';
import { showSignIn } from './sign-in-view.ts';
import {
  type AlarmState,
  applyAlarmEvent,
  applyCalculation,
  applyCommandResults,
  applyDrillingUpdate,
  applySample,
  applyWellStatusChange,
  type CommandResult,
  emit,
  on,
  store,
  syncClock,
  type TagState,
} from './store.ts';
import { loadWellStatus } from './well-status-strip.ts';
import { applyWellTestUpdate, loadWellTest } from './well-test-panel.ts';

/** A screen: mounted into the main area, unmounted (its timers and listeners gone) when another is shown. */
export type View = (container: HTMLElement, link: LiveLink) => () => void;

/** The screens, by the id in `#/id`; one with a `parent` is reached from that screen, not from the bar. */
const views: Record<string, { title: string; load: () => Promise<View>; parent?: string; requires?: string }> = {
  wells: { title: 'Wells', load: async () => (await import('./wells-view.ts')).wellsView },
  well: { title: 'Well', load: async () => (await import('./well-page.ts')).wellPage, parent: 'wells' },
  alarms: { title: 'Alarms', load: async () => (await import('./alarms-view.ts')).alarmsView },
  history: { title: 'History', load: async () => (await import('./history-view.ts')).historyView },
  production: { title: 'Production', load: async () => (await import('./production-view.ts')).productionView },
  system: { title: 'System', load: async () => (await import('./status-view.ts')).statusView },
  clocks: { title: 'Device clocks', load: async () => (await import('./clocks-view.ts')).clocksView, parent: 'system' },
  audit: { title: 'Audit', load: async () => (await import('./audit-view.ts')).auditView, requires: 'audit.read' },
};

const root = document.getElementById('app') as HTMLElement;

interface CurrentAnswer {
  serverTime: number;
  assets: {
    assetId: string;
    kind: 'well' | 'field';
    name: string;
    fieldId: string;
    tags: (Omit<TagState, 'assetId'> & { tagId: string })[];
  }[];
}

async function loadCurrent(assetIds?: string[]): Promise<void> {
  const answer = await api<CurrentAnswer>(`/v1/current${assetIds ? `?assetIds=${assetIds.join(',')}` : ''}`);
  syncClock(answer.serverTime);
  for (const asset of answer.assets) {
    if (!store.assets.has(asset.assetId))
      store.assets.set(asset.assetId, {
        assetId: asset.assetId,
        kind: asset.kind,
        name: asset.name,
        fieldId: asset.fieldId,
        tags: new Map(),
      });
    for (const tag of asset.tags) applySample(asset.assetId, tag);
  }
  emit('values');
}

async function loadAlarms(): Promise<void> {
  const answer = await api<{ serverTime: number; active: AlarmState[]; shelved: AlarmState[]; suppressed: AlarmState[] }>('/v1/alarms');
  store.alarms.clear();
  for (const alarm of [...answer.active, ...answer.shelved, ...answer.suppressed]) store.alarms.set(alarm.alarmId, alarm);
  emit('alarms');
}

/** Several rooms asking for a snapshot at once (a reconnect) share one request. */
function batched(load: (ids: string[]) => Promise<void>): (id: string) => void {
  let pending = new Set<string>();
  return (id) => {
    if (pending.size === 0) {
      window.setTimeout(() => {
        const ids = [...pending];
        pending = new Set();
        load(ids).catch((e: unknown) => console.warn('snapshot failed', e));
      }, 50);
    }
    pending.add(id);
  };
}

async function startConsole(): Promise<void> {
  const session = await resumeSession();
  if (!session) {
    showSignIn(root, undefined, () => void startConsole());
    return;
  }
  document.body.dataset.view = 'console';
  const link = new LiveLink({
    token: () => currentSession()?.token,
    onEvent(event) {
      if (event.type === 'telemetry:update') {
        const d = event.data as unknown as TagState & { wellId?: string; fieldId?: string };
        applySample(d.wellId ?? d.fieldId ?? '', { ...d, unit: d.unit });
        emit('values');
      } else if (event.type.startsWith('alarm:')) {
        applyAlarmEvent(event.data);
        emit('alarms');
      } else if (event.type === 'system:status') {
        store.status = event.data;
        emit('status');
      } else if (event.type === 'well:status') {
        applyWellStatusChange(event.data);
        emit('wellStatus');
      } else if (event.type === 'drilling:update') {
        applyDrillingUpdate(event.data);
        emit('drilling');
      } else if (event.type === 'well-test:update') {
        applyWellTestUpdate(event.data);
        emit('wellTests');
      } else if (event.type.startsWith('calculation:')) {
        applyCalculation(event.type.slice('calculation:'.length), event.data);
        emit('calculations');
      } else if (event.type === 'command:result') {
        applyCommandResults([event.data as unknown as CommandResult]);
        emit('commands');
      }
    },
    // Any call now meets the ended session: api refreshes if it can, or signs out with the reason.
    onSessionEnded: () => void api('/v1/me').catch(() => {}),
    onState(state, detail, serverTime) {
      if (serverTime) syncClock(serverTime);
      store.linkUp = state === 'live';
      store.linkText = detail;
      emit('link');
    },
  });

  const nav = h('nav', { class: 'nav', 'aria-label': 'Screens' });
  const badge = h('span', { class: 'badge', 'data-testid': 'alarm-badge' }, '0');
  for (const [id, view] of Object.entries(views)) {
    if (view.parent || (view.requires && !may(view.requires))) continue;
    nav.append(h('a', { href: `#/${id}`, class: 'nav__link', 'data-view': id }, view.title, id === 'alarms' ? badge : null));
  }
  const linkState = h('span', { class: 'link', role: 'status', 'data-testid': 'link-state' }, 'connecting…');
  const signOutButton = h('button', { class: 'button button--quiet', type: 'button', onclick: () => void signOut() }, 'Sign out');
  const header = h(
    'header',
    { class: 'bar' },
    h('span', { class: 'bar__brand' }, 'Flowline'),
    h('span', { class: 'bar__tenant' }, session.user.tenantName),
    nav,
    linkState,
    h('span', { class: 'bar__user', 'data-testid': 'user' }, `${session.user.name} · ${session.user.role}`),
    signOutButton,
  );
  const main = h('main', { class: 'main', id: 'main' });
  const banner = h(
    'div',
    { class: 'banner', role: 'alert', hidden: true },
    'Live link lost: values are not updating and are marked “not live”.',
  );
  replace(root, header, banner, main);

  const offAlarms = on('alarms', () => {
    const unacknowledged = [...store.alarms.values()].filter((a) => a.state === 'UNACK_ACTIVE' || a.state === 'RTN_UNACK');
    setText(badge, String(unacknowledged.length));
    setClass(badge, 'badge--alarm', unacknowledged.length > 0);
    setClass(
      badge,
      'badge--critical',
      unacknowledged.some((a) => a.severity === 'CRITICAL'),
    );
  });
  const offLink = on('link', () => {
    setText(linkState, store.linkUp ? '● live' : `● ${store.linkText}`);
    setClass(linkState, 'link--down', !store.linkUp);
    banner.hidden = store.linkUp;
    setClass(document.body, 'offline', !store.linkUp);
  });

  let unmount = () => {};
  const show = async () => {
    // `#/well/{wellId}`: the screen is the first segment, the rest is the screen's own.
    const id = location.hash.replace(/^#\//, '').split('/')[0] || 'wells';
    const wanted = views[id];
    const view = wanted && (!wanted.requires || may(wanted.requires)) ? wanted : views.wells;
    if (!view) return;
    unmount();
    for (const a of nav.querySelectorAll('a')) setClass(a, 'nav__link--current', a.dataset.view === (view.parent ?? id));
    document.title = `${view.title} · Flowline`;
    main.dataset.view = id;
    replace(main, h('p', { class: 'loading' }, 'Loading…'));
    const mount = await view.load();
    main.replaceChildren();
    unmount = mount(main, link);
  };
  window.addEventListener('hashchange', show);

  const reloadAssets = batched((ids) => loadCurrent(ids));
  link.start();
  loadCurrent()
    .then(() => {
      for (const assetId of store.assets.keys())
        link.subscribe(`well:${assetId}`, () => {
          reloadAssets(assetId);
          // Status changes may have been missed too: a well whose status is shown reloads it.
          if (store.wellStatuses.has(assetId))
            loadWellStatus(assetId)
              .then(() => emit('wellStatus'))
              .catch((e: unknown) => console.warn('status reload failed', e));
          if (store.wellTests.has(assetId))
            loadWellTest(assetId)
              .then(() => emit('wellTests'))
              .catch((e: unknown) => console.warn('test reload failed', e));
        });
      link.subscribe(`alarms:${session.user.tenantId}`, () => void loadAlarms().catch((e: unknown) => console.warn(e)));
    })
    .catch((e: unknown) => replace(main, h('p', { class: 'error' }, `Cannot load the wells: ${(e as Error).message}`)));
  void show();

  window.addEventListener(
    'flowline:signed-out',
    (event) => {
      unmount();
      offAlarms();
      offLink();
      link.stop();
      store.assets.clear();
      store.alarms.clear();
      store.commandResults = [];
      store.wellStatuses.clear();
      store.calculations.clear();
      window.removeEventListener('hashchange', show);
      showSignIn(root, (event as CustomEvent<string>).detail, () => void startConsole());
    },
    { once: true },
  );
}

void startConsole();
