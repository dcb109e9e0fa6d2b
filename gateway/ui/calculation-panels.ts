import { h, replace, setText } from './dom.ts';
import { formatAge } from './format.ts';
import { freshnessOf } from './freshness.ts';

/**
 * A calc result from a well's current values (contracts/calculation.ts: EspPerformance,
 * GasLiftPerformance, MseCalculated), as GET /v1/wells/{wellId}/calculations carries it:
 * `timestamp` is its newest input's time, `inputQuality` the worst of its inputs.
 */
export interface CurrentValuesResult {
  kind: 'esp' | 'gas-lift' | 'mse';
  timestamp: number;
  calculatedAt: number;
  deviceId: string;
  inputQuality: 'good' | 'suspect';
  [field: string]: unknown;
}

export type PanelKind = CurrentValuesResult['kind'];

/**
 * calc caches a result from current values for 300 s by default (well-models `cacheTtlSeconds`),
 * recomputing it every few seconds while its inputs arrive: one older than that is no longer current.
 */
const staleAfterMs = 300_000;
export const panelKinds: readonly PanelKind[] = ['esp', 'gas-lift', 'mse'];

const panelTitle: Record<PanelKind, string> = { esp: 'ESP', 'gas-lift': 'Gas lift', mse: 'Mechanical specific energy' };

const num = (r: CurrentValuesResult, field: string) => (typeof r[field] === 'number' ? (r[field] as number) : undefined);
const fmt = (value: number | undefined, unit: string, digits = 1) =>
  value === undefined ? '—' : `${value.toLocaleString('en-US', { maximumFractionDigits: digits })} ${unit}`;
const pct = (fraction: number | undefined) => (fraction === undefined ? '—' : `${(fraction * 100).toFixed(1)} %`);

/** The values a panel lists, in words and units. Pure, so the wording is tested without a browser. */
export function panelLines(r: CurrentValuesResult): [string, string][] {
  const v = (field: string) => num(r, field);
  switch (r.kind) {
    case 'esp':
      return [
        ['Oil rate', fmt(v('oilRateStbd'), 'stb/d')],
        ['Liquid rate', fmt(v('liquidRateBbld'), 'bbl/d')],
        ['Intake / discharge', `${fmt(v('intakePressurePsig'), 'psig', 0)} / ${fmt(v('dischargePressurePsig'), 'psig', 0)}`],
        ['Total dynamic head', fmt(v('totalDynamicHeadFt'), 'ft', 0)],
        ['Frequency · current', `${fmt(v('frequencyHz'), 'Hz')} · ${fmt(v('motorCurrentA'), 'A')}`],
        ['Hydraulic / motor input', `${fmt(v('hydraulicHorsepowerHp'), 'hp')} / ${fmt(v('motorInputHp'), 'hp')}`],
        ['Pump · system efficiency', `${pct(v('pumpEfficiencyFraction'))} · ${pct(v('systemEfficiencyFraction'))}`],
      ];
    case 'gas-lift': {
      const depth = v('injectionDepthFtTvd');
      return [
        ['Oil · liquid rate', `${fmt(v('oilRateStbd'), 'stb/d')} · ${fmt(v('liquidRateBbld'), 'bbl/d')}`],
        ['Injection', `${fmt(v('injectionRateMscfd'), 'Mscf/d')} at ${fmt(v('surfaceInjectionPressurePsig'), 'psig', 0)}`],
        ['Required injection', fmt(v('requiredInjectionRateMscfd'), 'Mscf/d')],
        [
          'Total GLR / target',
          `${fmt(v('totalGasLiquidRatioScfPerBbl'), 'scf/bbl', 0)} / ${fmt(v('targetGasLiquidRatioScfPerBbl'), 'scf/bbl', 0)}`,
        ],
        ['Point of balance', depth === undefined ? String(r.injectionReason ?? 'gas cannot enter the tubing') : fmt(depth, 'ft TVD', 0)],
        [
          'Operating valve',
          `${fmt(v('operatingValveDepthFtTvd'), 'ft TVD', 0)} · ${r.operatingValveCanInject ? 'can inject' : 'cannot inject: lifting from a shallower valve'}`,
        ],
      ];
    }
    case 'mse':
      return [
        ['MSE', fmt(v('mechanicalSpecificEnergyPsi'), 'psi', 0)],
        ['Axial · rotary', `${fmt(v('axialComponentPsi'), 'psi', 0)} · ${fmt(v('rotaryComponentPsi'), 'psi', 0)}`],
        ['Weight on bit', fmt((v('weightOnBitLbf') ?? Number.NaN) / 1000, 'klbf')],
        [
          'Rotary speed · torque',
          `${fmt(v('rotarySpeedRpm'), 'rpm', 0)} · ${fmt((v('surfaceTorqueFtLbf') ?? Number.NaN) / 1000, 'kft·lbf')}`,
        ],
        ['Rate of penetration', fmt(v('rateOfPenetrationFtPerHour'), 'ft/h')],
      ];
  }
}

/**
 * One result panel of the well page: its values, and how old and how good its inputs are (the
 * age counts from the newest input on the gateway's clock, re-judged every second by `tick`;
 * `data-freshness` reads as the cards' values do: live, suspect, stale or not live).
 */
export function calculationPanel(kind: PanelKind) {
  const age = h('span', { class: 'calc-panel__age', 'data-testid': 'inputs-age' });
  const quality = h('span', { class: 'calc-panel__quality', 'data-testid': 'inputs-quality' });
  const list = h('dl', { class: 'calc-panel__values', 'data-testid': 'calc-values' });
  const element = h(
    'section',
    { class: 'calc-panel', 'data-kind': kind, 'aria-label': panelTitle[kind], hidden: true },
    h('header', { class: 'calc-panel__head' }, h('h3', {}, panelTitle[kind]), quality, age),
    list,
  );
  let shown: CurrentValuesResult | undefined;

  const show = (result: CurrentValuesResult) => {
    if (shown && shown.timestamp > result.timestamp) return;
    shown = result;
    element.hidden = false;
    element.dataset.timestamp = String(result.timestamp);
    setText(quality, `inputs ${result.inputQuality}`);
    quality.dataset.quality = result.inputQuality;
    quality.title = `from ${result.deviceId}: ${result.inputQuality === 'good' ? 'every input good' : 'at least one input suspect'}`;
    replace(list, ...panelLines(result).flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]));
  };
  const tick = (now: number, linkUp: boolean) => {
    if (!shown) return;
    setText(age, `${formatAge(now - shown.timestamp)} old`);
    element.dataset.freshness = freshnessOf({ timestamp: shown.timestamp, status: shown.inputQuality, staleAfterMs }, now, linkUp);
  };
  return { element, show, tick, latest: () => shown };
}
