import type uPlot from 'uplot';
import { h, setText } from './dom.ts';
import { formatTime } from './format.ts';
import { loadUplot } from './uplot-loader.ts';

/**
 * The latest `well-testing.ipr-calculated` result as GET /v1/wells/{wellId}/calculations carries
 * it (contracts/calculation.ts IprCalculated): the fields the well page draws.
 */
export interface IprResultView {
  testId: string;
  timestamp: number;
  model: 'linear' | 'composite-vogel' | 'vogel';
  reservoirPressurePsia: number;
  bubblePointPressurePsia: number;
  productivityIndexStbdPerPsi: number;
  absoluteOpenFlowStbd: number;
  testOilRateStbd: number;
  testFlowingBottomholePressurePsia: number;
  curve: { flowingBottomholePressurePsia: number; oilRateStbd: number }[];
  liftCurve?:
    | {
        waterCutFraction: number;
        wellheadPressurePsig: number;
        pumpDifferentialPressurePsi: number;
        points: { liquidRateBbld: number; flowingBottomholePressurePsia: number }[];
      }
    | undefined;
  operatingPoint?:
    | { flows: true; oilRateStbd: number; liquidRateBbld: number; flowingBottomholePressurePsia: number; pumpedOff: boolean }
    | { flows: false; reason: string }
    | undefined;
}

const modelName: Record<IprResultView['model'], string> = {
  linear: 'Linear IPR',
  'composite-vogel': 'Composite Vogel IPR',
  vogel: 'Vogel IPR',
};

const n = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits });

/**
 * uPlot's columns for the nodal plot, on one oil-rate axis: the IPR (inflow) curve, the lift
 * (outflow) curve, the operating point where they cross, and the test point the IPR was fitted to. The lift curve is stored against
 * liquid rate; at the result's water cut its oil rate is liquid × (1 − water cut), the same
 * conversion calc's nodal solution made. Each curve has points only at its own rates (null
 * elsewhere, spanned when drawn). Pure, so it is tested without a browser.
 */
export function nodalColumns(result: IprResultView): uPlot.AlignedData {
  const rows = new Map<number, [number | null, number | null, number | null, number | null]>();
  const row = (rate: number) => {
    let r = rows.get(rate);
    if (!r) {
      r = [null, null, null, null];
      rows.set(rate, r);
    }
    return r;
  };
  for (const p of result.curve) row(p.oilRateStbd)[0] = p.flowingBottomholePressurePsia;
  const lift = result.liftCurve;
  if (lift) for (const p of lift.points) row(p.liquidRateBbld * (1 - lift.waterCutFraction))[1] = p.flowingBottomholePressurePsia;
  const op = result.operatingPoint;
  if (op?.flows) row(op.oilRateStbd)[2] = op.flowingBottomholePressurePsia;
  row(result.testOilRateStbd)[3] = result.testFlowingBottomholePressurePsia;
  const rates = [...rows.keys()].sort((a, b) => a - b);
  const column = (i: 0 | 1 | 2 | 3) => rates.map((rate) => rows.get(rate)?.[i] ?? null);
  return [rates, column(0), column(1), column(2), column(3)];
}

/** What the chart's caption says: the model and its numbers, and the operating point or why there is none. */
export function nodalCaption(result: IprResultView): string {
  const ipr = `${modelName[result.model]} from test ${result.testId} (${formatTime(result.timestamp)}): p̄ ${n(result.reservoirPressurePsia)} psia, Pb ${n(result.bubblePointPressurePsia)} psia, PI ${n(result.productivityIndexStbdPerPsi, 3)} stb/d/psi, AOF ${n(result.absoluteOpenFlowStbd, 1)} stb/d`;
  const op = result.operatingPoint;
  const lift = result.liftCurve;
  if (!lift)
    return `${ipr} · no lift curve: the well has no single-phase lift model (gas lift, or no fluids and completion in well-models)`;
  const liftText = `lift at ${n(lift.wellheadPressurePsig)} psig wellhead${lift.pumpDifferentialPressurePsi > 0 ? `, ESP +${n(lift.pumpDifferentialPressurePsi)} psi` : ''}, water cut ${n(lift.waterCutFraction * 100, 1)} %`;
  if (!op) return `${ipr} · ${liftText}`;
  if (!op.flows) return `${ipr} · ${liftText} · no operating point: ${op.reason}`;
  return `${ipr} · ${liftText} · operating point ${n(op.oilRateStbd, 1)} stb/d oil (${n(op.liquidRateBbld, 1)} bbl/d liquid) at ${n(op.flowingBottomholePressurePsia, 1)} psia${op.pumpedOff ? ', pumped off' : ''}`;
}

/** The data attributes saying what the chart was drawn from (data-testid stays). */
const drawnFrom = ['wellTest', 'model', 'iprPoints', 'liftPoints', 'aof', 'operatingRate', 'operatingLiquidRate', 'operatingPressure'];

/**
 * The well page's nodal chart: IPR and lift curves with the operating point, in uPlot. The
 * numbers it was drawn from are on the element's data attributes, for people and tests alike.
 */
export function nodalChart() {
  const caption = h('p', { class: 'chart__caption', 'data-testid': 'nodal-caption' }, 'Loading the latest IPR…');
  const plotArea = h('div', { class: 'chart', 'data-testid': 'nodal-chart' });
  const element = h('section', { class: 'well-page__nodal', 'aria-label': 'Inflow and lift' }, plotArea, caption);
  let plot: uPlot | undefined;

  const show = async (result: IprResultView | undefined, message?: string) => {
    plot?.destroy();
    plot = undefined;
    for (const key of drawnFrom) delete plotArea.dataset[key];
    if (!result) {
      setText(caption, message ?? 'No IPR yet: one is computed when a well test of this well completes.');
      return;
    }
    const data = nodalColumns(result);
    const op = result.operatingPoint;
    plotArea.dataset.wellTest = result.testId;
    plotArea.dataset.model = result.model;
    plotArea.dataset.iprPoints = String(result.curve.length);
    plotArea.dataset.liftPoints = String(result.liftCurve?.points.length ?? 0);
    plotArea.dataset.aof = String(result.absoluteOpenFlowStbd);
    if (op?.flows) {
      plotArea.dataset.operatingRate = String(op.oilRateStbd);
      plotArea.dataset.operatingLiquidRate = String(op.liquidRateBbld);
      plotArea.dataset.operatingPressure = String(op.flowingBottomholePressurePsia);
    }
    setText(caption, nodalCaption(result));
    const UPlot = await loadUplot();
    const width = Math.max(320, plotArea.clientWidth || element.clientWidth);
    plot = new UPlot(
      {
        width,
        height: 360,
        scales: {
          x: { time: false, range: [0, result.absoluteOpenFlowStbd * 1.02] },
          y: { range: [0, result.reservoirPressurePsia * 1.05] },
        },
        axes: [
          { label: 'oil rate (stb/d)', stroke: '#c9d3de', grid: { stroke: '#2a3542' } },
          { label: 'flowing bottom-hole pressure (psia)', stroke: '#c9d3de', grid: { stroke: '#2a3542' }, size: 60 },
        ],
        series: [
          { label: 'oil rate' },
          { label: 'IPR (inflow)', stroke: '#5eaaff', width: 2, spanGaps: true, points: { show: false } },
          { label: 'lift (outflow)', stroke: '#f0a040', width: 2, spanGaps: true, points: { show: false } },
          {
            label: 'operating point',
            stroke: '#ff5e7a',
            width: 0,
            points: { show: true, size: 11, stroke: '#ff5e7a', fill: '#ff5e7a' },
          },
          { label: 'well test', stroke: '#c9d3de', width: 0, points: { show: true, size: 8, stroke: '#c9d3de', fill: '#161f29' } },
        ],
      },
      data,
      plotArea,
    );
  };
  const resize = new ResizeObserver(() => plot?.setSize({ width: Math.max(320, plotArea.clientWidth), height: plot.height }));
  resize.observe(plotArea);
  const destroy = () => {
    resize.disconnect();
    plot?.destroy();
  };
  return { element, show, destroy };
}
