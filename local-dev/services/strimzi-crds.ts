import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Crd, readCrds } from './kubernetes-crds.ts';
import { cacheDir, repoRoot } from './paths.ts';
import { log, run, ServiceError, which } from './process.ts';

const pom = join(repoRoot, 'local-dev', 'strimzi', 'pom.xml');
export const strimziVersion = /<strimzi\.version>([^<]+)</.exec(readFileSync(pom, 'utf8'))?.[1] ?? 'unknown';

/**
 * Strimzi's KafkaTopic CRD (kafka.strimzi.io, served and stored as v1beta2), written once
 * into the cache by Strimzi's own CRD generator from its published API model, as its
 * build writes the CRD it installs (local-dev/strimzi/pom.xml says why).
 */
export function strimziCrds(): Crd[] {
  const dir = join(cacheDir, `strimzi-${strimziVersion}`);
  const file = join(dir, 'kafkatopics.kafka.strimzi.io.yaml');
  if (!existsSync(file)) {
    if (!which('java'))
      throw new ServiceError("Strimzi's CRD generator needs Java 17+: install a JDK (Debian: apt-get install openjdk-17-jre-headless)");
    if (!which('mvn')) throw new ServiceError("fetching Strimzi's API model needs Maven: install it (Debian: apt-get install maven)");
    log(`generating Strimzi ${strimziVersion}'s KafkaTopic CRD (its api and crd-generator jars, with Maven: seconds)`);
    const libs = join(dir, 'libs');
    mkdirSync(libs, { recursive: true });
    run('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DexcludeTransitive=true'], {
      what: `fetching Strimzi ${strimziVersion}`,
    });
    const partial = `${file}.partial-${process.pid}`;
    try {
      run(
        'java',
        [
          '-cp',
          `${libs}/*`,
          'io.strimzi.crdgenerator.CrdGenerator',
          '--yaml',
          '--crd-api-version',
          'v1',
          '--api-versions',
          'v1beta2',
          '--storage-version',
          'v1beta2',
          `io.strimzi.api.kafka.model.topic.KafkaTopic=${partial}`,
        ],
        { what: `generating Strimzi ${strimziVersion}'s KafkaTopic CRD` },
      );
      // Whole or not at all: an interrupted run never leaves a CRD to be taken for the real one.
      renameSync(partial, file);
    } finally {
      rmSync(partial, { force: true });
    }
  }
  const crds = readCrds(file);
  if (crds.length !== 1)
    throw new ServiceError(`${file} holds ${crds.length} CRDs, not the KafkaTopic one: delete it to generate it again`);
  return crds;
}
