import { h, replace, setText } from './dom.ts';
import { humanize } from './format.ts';
import type { DrillingState } from './store.ts';

export type WellControlVerdict = 'kick' | 'losses' | 'in-balance' | 'unknown';

const one = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
const signed = (n: number, unit: string, digits = 1) =>
  `${n > 0 ? '+' : n < 0 ? '−' : ''}${Math.abs(n).toLocaleString('en-US', { maximumFractionDigits: digits })} ${unit}`;

/**
 * What the drilling panel says about a rig, in words: the kick watch's verdict and its two
 * indicators, the torque-and-drag model at the bit depth, and the measured value with the
 * friction factor it implies. Pure, so the wording is tested without a browser.
 */
export function drillingLines(state: DrillingState): { verdict: WellControlVerdict; headline: string; lines: string[] } {
  const lines: string[] = [];
  const wc = state.wellControl;
  let verdict: WellControlVerdict = 'unknown';
  let headline = 'Well control: waiting for the rig';
  if (wc) {
    verdict = wc.kick ? 'kick' : wc.losses ? 'losses' : 'in-balance';
    headline = `${wc.kick ? 'KICK' : wc.losses ? 'LOSSES' : 'In balance'} · ${humanize(wc.activity)}`;
    lines.push(
      `Pits ${signed(wc.unexplainedPitGainBbl, 'bbl')} unexplained over ${Math.round(wc.windowSeconds)} s (kick at +${one(wc.toleratedGainBbl)}, losses at −${one(wc.toleratedLossBbl)})`,
    );
    lines.push(
      wc.flowDeltaGpm === undefined
        ? 'Flow out: settling or not measured'
        : `Flow out ${signed(wc.flowDeltaGpm, 'gpm')} against the expected`,
    );
    lines.push(...wc.reasons);
  }
  const td = state.torqueDrag;
  if (td) {
    lines.push(
      `Bit ${Math.round(td.bitDepthFt).toLocaleString('en-US')} ft, μ ${td.frictionFactor}: pick-up ${one(td.hookLoadTrippingOutKlbf)}, rotating ${one(td.hookLoadRotatingKlbf)}, slack-off ${one(td.hookLoadTrippingInKlbf)} klbf; torque ${one(td.torqueRotatingKftLbf)} kft·lbf`,
    );
    const m = td.measured;
    if (m) {
      const value = m.hookLoadKlbf !== undefined ? `${one(m.hookLoadKlbf)} klbf` : `${one(m.torqueKftLbf ?? 0)} kft·lbf`;
      const fit = m.backCalculatedFrictionFactor !== undefined ? `μ ${m.backCalculatedFrictionFactor}` : (m.reason ?? 'no fit');
      const trend =
        td.frictionTrendPerThousandFt === undefined ? '' : ` (trend ${signed(td.frictionTrendPerThousandFt, 'per 1,000 ft', 3)})`;
      lines.push(`Measured ${humanize(m.mode).toLowerCase()} ${value} → ${fit}${trend}`);
    }
  }
  return { verdict, headline, lines };
}

/** A drilling well's panel on its card, kept current by the `drilling:update` live events. */
export function drillingPanel() {
  const headline = h('span', { class: 'drilling__verdict', 'data-testid': 'well-control' }, '…');
  const list = h('ul', { class: 'drilling__lines', 'data-testid': 'drilling-lines' });
  const element = h('section', { class: 'drilling', 'aria-label': 'Drilling' }, headline, list);
  let drawn = '';
  const update = (state: DrillingState) => {
    const { verdict, headline: text, lines } = drillingLines(state);
    setText(headline, text);
    headline.dataset.verdict = verdict;
    const key = lines.join('\n');
    if (key === drawn) return;
    drawn = key;
    replace(list, ...lines.map((line) => h('li', {}, line)));
  };
  return { element, update };
}
