import type uPlot from 'uplot';
import { h } from './dom.ts';

// uPlot is loaded only when a screen with a chart opens: the overview's first paint does not wait for it.
const uplotUrl = '/ui/vendor/uplot.js';
let uplot: Promise<typeof uPlot> | undefined;

/** uPlot's constructor and its stylesheet, fetched once per page. */
export function loadUplot(): Promise<typeof uPlot> {
  if (!uplot) {
    document.head.append(h('link', { rel: 'stylesheet', href: '/ui/vendor/uplot.css' }));
    uplot = (import(uplotUrl) as Promise<{ default: typeof uPlot }>).then((m) => m.default);
  }
  return uplot;
}
