import { ensureAptPackages, ServiceError, which } from './process.ts';

/**
 * Debian's Chromium for the browser tests (driven by playwright-core). `npx playwright
 * install` downloads browsers from a CDN, which is not reachable everywhere; the
 * distribution's package is, and it is kept patched by the distribution.
 * FLOWLINE_CHROMIUM names another binary (e.g. a system Chrome) instead.
 */
export function chromiumBin(): string {
  const configured = process.env.FLOWLINE_CHROMIUM;
  if (configured) {
    const found = which(configured);
    if (!found) throw new ServiceError(`FLOWLINE_CHROMIUM is "${configured}", which is not an executable on PATH or a path`);
    return found;
  }
  let bin = which('chromium') ?? which('chromium-browser');
  if (!bin) {
    ensureAptPackages(['chromium'], 'the browser end-to-end tests');
    bin = which('chromium');
  }
  if (!bin) throw new ServiceError('chromium not found after installing it: set FLOWLINE_CHROMIUM to a Chromium or Chrome binary');
  return bin;
}

/** Flags for a quiet, headless, throwaway browser: no sandbox (containers run as root), no network chatter of its own. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
