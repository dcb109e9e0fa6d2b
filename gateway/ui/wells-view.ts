import { h, replace, setClass, setText } from './dom.ts';
import { drillingPanel } from './drilling-panel.ts';
import { formatAge, formatValue, humanize } from './format.ts';
import { freshnessLabel, freshnessOf, qualityName } from './freshness.ts';
import type { View } from './main.ts';
import { sparkline } from './sparkline.ts';
import { type AssetState, on, serverNow, store, type TagState } from './store.ts';
import { loadWellStatus, statusStrip } from './well-status-strip.ts';
import { loadWellTest, wellTestPanel } from './well-test-panel.ts';

type Card = {
  card: HTMLElement;
  rows: Map<string, Row>;
  body: HTMLElement;
  alarms: HTMLElement;
  status: ReturnType<typeof statusStrip> | undefined;
  drilling: ReturnType<typeof drillingPanel> | undefined;
  test: ReturnType<typeof wellTestPanel> | undefined;
};

interface Row {
  element: HTMLElement;
  value: HTMLElement;
  unit: HTMLElement;
  age: HTMLElement;
  badge: HTMLElement;
  spark: ReturnType<typeof sparkline>;
  drawn: number;
}

/**
 * The wells overview: a card per well with each tag's value, unit, sparkline, quality
 * and age. Once a second every row is re-judged on the gateway's clock, so a value that
 * stops arriving turns stale on screen by itself, and everything reads "not live" while
 * the live link is down. Values arrive over the WebSocket; nothing here polls. A well's card
 * also shows its status (with the reason and since when) and today's status timeline, loaded
 * once and kept current by the `well:status` live events; its latest well test (with why it
 * waits) kept current by `well-test:update`; a drilling well's card, its kick watch and torque
 * and drag from the `drilling:update` live events.
 */
export const wellsView: View = (container) => {
  const grid = h('section', { class: 'wells', 'aria-label': 'Wells' });
  replace(container, grid);
  const cards = new Map<string, Card>();

  const cardOf = (asset: AssetState) => {
    let entry = cards.get(asset.assetId);
    if (!entry) {
      const alarms = h('span', { class: 'card__alarms' });
      const body = h('div', { class: 'card__rows' });
      const status = asset.kind === 'well' ? statusStrip() : undefined;
      const test = asset.kind === 'well' ? wellTestPanel(asset.assetId) : undefined;
      const card = h(
        'article',
        { class: 'card', 'data-asset': asset.assetId },
        h(
          'header',
          { class: 'card__head' },
          // A well's name opens its page (IPR and lift curves, lift and drilling results, status timeline).
          h(
            'h2',
            {},
            asset.kind === 'well'
              ? h('a', { href: `#/well/${encodeURIComponent(asset.assetId)}`, class: 'card__link', 'data-testid': 'open-well' }, asset.name)
              : asset.name,
          ),
          alarms,
        ),
        status?.element,
        test?.element,
        body,
      );
      grid.append(card);
      entry = { card, rows: new Map(), body, alarms, status, drilling: undefined, test };
      cards.set(asset.assetId, entry);
      if (status)
        loadWellStatus(asset.assetId)
          .then(render)
          .catch((e: unknown) => console.warn(`status of ${asset.assetId}:`, e));
      if (test)
        loadWellTest(asset.assetId)
          .then(render)
          .catch((e: unknown) => console.warn(`tests of ${asset.assetId}:`, e));
    }
    return entry;
  };

  const rowOf = (entry: Card, tag: TagState): Row => {
    let row = entry.rows.get(tag.tagId);
    if (!row) {
      const spark = sparkline();
      const value = h('span', { class: 'tag__value', 'data-testid': 'value' });
      const unit = h('span', { class: 'tag__unit' });
      const age = h('span', { class: 'tag__age', 'data-testid': 'age' });
      const badge = h('span', { class: 'tag__badge', 'data-testid': 'freshness' });
      const element = h(
        'div',
        { class: 'tag', 'data-tag': tag.tagId, 'data-device': tag.deviceId },
        h('span', { class: 'tag__name' }, humanize(tag.tagId)),
        h('span', { class: 'tag__reading' }, value, unit),
        h('span', { class: 'tag__spark' }, spark.element),
        h('span', { class: 'tag__meta' }, badge, age),
      );
      row = { element, value, unit, age, badge, spark, drawn: -1 };
      entry.rows.set(tag.tagId, row);
      const after = [...entry.rows.keys()].sort().indexOf(tag.tagId);
      entry.body.insertBefore(element, entry.body.children[after] ?? null);
    }
    return row;
  };

  const render = () => {
    const now = serverNow();
    for (const asset of store.assets.values()) {
      if (asset.tags.size === 0) continue;
      const entry = cardOf(asset);
      let worst = 0;
      for (const tag of asset.tags.values()) {
        const row = rowOf(entry, tag);
        const freshness = freshnessOf(tag, now, store.linkUp);
        setText(row.value, formatValue(tag.value));
        setText(row.unit, tag.unit ?? '');
        setText(row.age, formatAge(now - tag.timestamp));
        setText(row.badge, freshness === 'live' ? qualityName(tag.quality) : freshnessLabel[freshness]);
        row.element.dataset.freshness = freshness;
        row.element.title = `${tag.deviceId} · quality ${tag.quality} (${qualityName(tag.quality)})${tag.flags.length ? ` · ${tag.flags.join(', ')}` : ''}`;
        if (row.drawn !== tag.timestamp) {
          row.spark.draw(tag.recent);
          row.drawn = tag.timestamp;
        }
        worst = Math.max(worst, freshness === 'bad' ? 3 : freshness === 'stale' ? 2 : freshness === 'suspect' ? 1 : 0);
      }
      entry.card.dataset.worst = ['ok', 'suspect', 'stale', 'bad'][worst] ?? 'ok';
      entry.status?.update(asset.assetId);
      // A drilling well's kick watch and torque and drag, once its first drilling:update came.
      const drilling = store.drilling.get(asset.assetId);
      if (drilling) {
        if (!entry.drilling) {
          entry.drilling = drillingPanel();
          entry.body.before(entry.drilling.element);
        }
        entry.drilling.update(drilling);
      }
      entry.test?.update();
      const alarms = [...store.alarms.values()].filter(
        (a) => a.wellId === asset.assetId && a.state !== 'SHELVED' && a.state !== 'SUPPRESSED',
      );
      setText(entry.alarms, alarms.length > 0 ? `${alarms.length} alarm${alarms.length === 1 ? '' : 's'}` : '');
      setClass(
        entry.alarms,
        'card__alarms--critical',
        alarms.some((a) => a.severity === 'CRITICAL'),
      );
    }
    if (cards.size === 0) replace(grid, h('p', { class: 'empty' }, 'No values yet: waiting for the first samples…'));
    else grid.querySelector('.empty')?.remove();
  };

  render();
  const offValues = on('values', render);
  const offAlarms = on('alarms', render);
  const offLink = on('link', render);
  const offStatus = on('wellStatus', render);
  const offDrilling = on('drilling', render);
  const offTests = on('wellTests', render);
  const tick = window.setInterval(render, 1_000);
  return () => {
    offValues();
    offAlarms();
    offLink();
    offStatus();
    offDrilling();
    offTests();
    window.clearInterval(tick);
  };
};
