import { join } from 'node:path';
import { installGoBinaries, requiredVersion } from './go-build.ts';
import { repoRoot } from './paths.ts';

const moduleDir = join(repoRoot, 'local-dev', 'promtool');
/** The Prometheus module's version (v0.316.0 is Prometheus 3.16.0: its Go module drops the major). */
export const prometheusModuleVersion = requiredVersion(moduleDir, 'github.com/prometheus/prometheus');
export const prometheusVersion = prometheusModuleVersion.replace(
  /^v0\.(\d+)(\d\d)\.(\d+)$/,
  (_, major, minor, patch) => `${major}.${Number(minor)}.${patch}`,
);

/**
 * Prometheus' promtool (`check rules`, `test rules`), built once from local-dev/promtool
 * (a wrapper module pinning it, go.sum committed) and cached: the chart's alerting rules
 * are tested by the rule engine that will evaluate them, not by a reading of their text.
 * Cold on 2 cores: 5 min 16 s measured with the modules already downloaded (75 s more
 * without); 88 MB. promtool links every service discovery plugin, hence the size.
 */
export function installPromtool(): string {
  const dir = installGoBinaries({
    moduleDir,
    name: `promtool-${prometheusVersion}`,
    binaries: { promtool: 'github.com/prometheus/prometheus/cmd/promtool' },
    ldflags: `-s -w -X github.com/prometheus/common/version.Version=${prometheusVersion}`,
    expect: 'about 5 minutes on 2 cores, a minute more with the module download',
  });
  return join(dir, 'promtool');
}

if (import.meta.main) console.log(installPromtool());
