import { ApiError, api } from './api.ts';
import { type CurrentValuesResult, calculationPanel, type PanelKind, panelKinds } from './calculation-panels.ts';
import { h, replace } from './dom.ts';
import type { View } from './main.ts';
import { type IprResultView, nodalChart } from './nodal-chart.ts';
import { on, serverNow, store } from './store.ts';
import { loadWellStatus, statusStrip } from './well-status-strip.ts';

interface CalculationsAnswer {
  calculations: { topic: string; kind: string | null; ts: number; result: unknown }[];
}

/** `#/well/{wellId}` → the well id. */
export const wellIdOfHash = (hash: string): string | undefined => {
  const id = hash.replace(/^#\/well\//, '');
  return id && id !== hash ? decodeURIComponent(id) : undefined;
};

// The newest results first; a well publishes ESP or gas-lift (never both), a rig MSE among its
// frequent well-control and torque-and-drag results, hence the deeper look-back there.
const lookups = [
  ['well-testing.ipr-calculated', 1],
  ['production.calculations', 20],
  ['drilling.calculations', 200],
] as const;

/**
 * The page an engineer works in for one well: the nodal plot (the latest IPR with the lift
 * curve and the operating point, as calc computed them from the latest completed well test),
 * the ESP / gas-lift / MSE results from current values with their inputs' age and quality, and
 * today's status timeline. Loaded from the gateway once, then kept current by the live
 * `calculation:*` and `well:status` events of the well's room.
 */
export const wellPage: View = (container) => {
  const wellId = wellIdOfHash(location.hash);
  const asset = wellId ? store.assets.get(wellId) : undefined;
  if (!wellId) {
    replace(container, h('p', { class: 'error' }, 'No well in the address: open a well from the wells screen.'));
    return () => {};
  }
  const status = statusStrip();
  const nodal = nodalChart();
  const panels = new Map(panelKinds.map((kind) => [kind, calculationPanel(kind)]));
  const none = h('p', { class: 'empty', 'data-testid': 'no-calculations' }, 'No ESP, gas-lift or MSE results yet.');
  replace(
    container,
    h(
      'article',
      { class: 'well-page', 'data-well': wellId },
      h(
        'header',
        { class: 'well-page__head' },
        h('a', { href: '#/wells', class: 'well-page__back' }, '← Wells'),
        h('h2', {}, asset?.name ?? wellId),
      ),
      status.element,
      nodal.element,
      h('div', { class: 'well-page__panels' }, ...[...panels.values()].map((p) => p.element), none),
    ),
  );

  const applied = new Map<string, unknown>();
  const showResult = (kind: string, result: unknown) => {
    if (applied.get(kind) === result) return;
    applied.set(kind, result);
    if (kind === 'ipr') {
      const ipr = result as IprResultView;
      const shown = applied.get('ipr-timestamp') as number | undefined;
      if (shown !== undefined && shown > ipr.timestamp) return;
      applied.set('ipr-timestamp', ipr.timestamp);
      return void nodal.show(ipr);
    }
    const panel = panels.get(kind as PanelKind);
    if (!panel) return;
    panel.show(result as CurrentValuesResult);
    none.hidden = true;
  };

  const load = async () => {
    const answers = await Promise.all(
      lookups.map(([topic, limit]) =>
        api<CalculationsAnswer>(`/v1/wells/${encodeURIComponent(wellId)}/calculations?topic=${topic}&limit=${limit}`),
      ),
    );
    const [ipr, ...others] = answers;
    const latestIpr = ipr?.calculations[0];
    if (latestIpr) showResult('ipr', latestIpr.result);
    else void nodal.show(undefined);
    for (const answer of others) for (const c of [...answer.calculations].reverse()) if (c.kind) showResult(c.kind, c.result);
  };
  load().catch((e: unknown) =>
    nodal.show(undefined, e instanceof ApiError ? `Cannot load the calculations: ${e.message}` : 'The gateway cannot be reached.'),
  );
  loadWellStatus(wellId)
    .then(() => status.update(wellId))
    .catch((e: unknown) => console.warn(`status of ${wellId}:`, e));

  const offCalculations = on('calculations', () => {
    for (const [kind, result] of store.calculations.get(wellId) ?? []) showResult(kind, result);
  });
  const offStatus = on('wellStatus', () => status.update(wellId));
  const tick = window.setInterval(() => {
    const now = serverNow();
    for (const panel of panels.values()) panel.tick(now, store.linkUp);
    status.update(wellId);
  }, 1_000);
  return () => {
    offCalculations();
    offStatus();
    window.clearInterval(tick);
    nodal.destroy();
  };
};
