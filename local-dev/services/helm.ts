import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './paths.ts';
import { log, run, ServiceError, which } from './process.ts';

/** The helm the chart tests run: pinned, so `helm lint` means the same on every machine. */
export const helmVersion = '3.21.4';

/**
 * The Kubernetes version helm assumes without a cluster (`helm template`, `helm lint`).
 * helm's release build stamps in its client-go's (v0.36 → 1.36, from its Makefile);
 * a plain `go install` would leave 1.20 and reject charts that need newer.
 */
const helmKubernetesVersion = { major: '1', minor: '36' };

/**
 * A real helm v3, built from the Go module proxy once into the per-user cache
 * (about 2 minutes cold). `go install` builds in a temporary GOBIN and the binary is
 * moved into place only when complete, so an interrupted build is never mistaken for
 * an installed one. FLOWLINE_HELM points at a helm of your own instead.
 */
export function installHelm(): string {
  const own = process.env.FLOWLINE_HELM;
  if (own) {
    if (!existsSync(own)) throw new ServiceError(`FLOWLINE_HELM is set to ${own}, which does not exist`);
    return own;
  }
  const dir = join(cacheDir, `helm-${helmVersion}`);
  const binary = join(dir, 'helm');
  if (existsSync(binary)) return binary;
  if (!which('go')) throw new ServiceError('building helm needs Go 1.24+: install it from go.dev or your package manager');
  const partial = join(dir, `partial-${process.pid}`);
  mkdirSync(partial, { recursive: true });
  log(`building helm ${helmVersion} from the Go module proxy (first time only, about 2 minutes)`);
  try {
    const stamp = (symbol: string, value: string) => `-X helm.sh/helm/v3/${symbol}=${value}`;
    const ldflags = [
      '-s -w',
      stamp('internal/version.version', `v${helmVersion}`),
      ...['pkg/chartutil', 'pkg/lint/rules'].flatMap((pkg) => [
        stamp(`${pkg}.k8sVersionMajor`, helmKubernetesVersion.major),
        stamp(`${pkg}.k8sVersionMinor`, helmKubernetesVersion.minor),
      ]),
    ].join(' ');
    run('go', ['install', '-trimpath', '-ldflags', ldflags, `helm.sh/helm/v3/cmd/helm@v${helmVersion}`], {
      env: { ...process.env, GOBIN: partial, CGO_ENABLED: '0' },
      what: `building helm ${helmVersion}`,
    });
    // Another process may have finished first; either binary is the same build.
    if (!existsSync(binary)) renameSync(join(partial, 'helm'), binary);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return binary;
}
