import type { Sample } from './store.ts';

const ns = 'http://www.w3.org/2000/svg';

/**
 * A tag's last samples as a small SVG line (no chart library for 100 points). Bad
 * samples leave a gap rather than a misleading line.
 */
export function sparkline(width = 200, height = 28): { element: SVGSVGElement; draw(samples: readonly Sample[]): void } {
  const svg = document.createElementNS(ns, 'svg');
  // Stretched to its cell's width by CSS; the line keeps its thickness (non-scaling stroke).
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('class', 'spark__line');
  path.setAttribute('vector-effect', 'non-scaling-stroke');
  svg.append(path);
  return {
    element: svg,
    draw(samples) {
      const good = samples.filter((s) => (s.q & 0xc0) !== 0);
      if (good.length < 2) {
        path.setAttribute('d', '');
        return;
      }
      const t0 = samples[0]?.t ?? 0;
      const span = Math.max(1, (samples[samples.length - 1]?.t ?? 0) - t0);
      const values = good.map((s) => s.v);
      const min = Math.min(...values);
      const range = Math.max(1e-9, Math.max(...values) - min);
      let d = '';
      let pen = 'M';
      for (const s of samples) {
        if ((s.q & 0xc0) === 0) {
          pen = 'M';
          continue;
        }
        const x = ((s.t - t0) / span) * (width - 2) + 1;
        const y = height - 2 - ((s.v - min) / range) * (height - 4);
        d += `${pen}${x.toFixed(1)},${y.toFixed(1)}`;
        pen = 'L';
      }
      path.setAttribute('d', d);
    },
  };
}
