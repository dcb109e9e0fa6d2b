import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ConfigEnv } from '../config/load.ts';
import { EdgeConfig } from '../edge-adapter/config/edge-config.ts';
import { RuntimeEnv } from '../runtime/config.ts';
import { loadYamlConfig } from '../runtime/yaml-config.ts';
import { readDockerfile } from '../tests/support/dockerfile.ts';
import { kafkaVersion } from './services/kafka.ts';
import { repoRoot } from './services/paths.ts';

/**
 * local-dev/compose.yaml, checked without Docker: what it builds exists, every service
 * it names exists, the environment it sets is what the processes read, and the topics
 * it creates are the chart's.
 */
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  network_mode?: string;
  volumes?: string[];
  command?: string[];
  profiles?: string[];
  ports?: string[];
}
const composeFile = join(repoRoot, 'local-dev', 'compose.yaml');
const compose = load(readFileSync(composeFile, 'utf8')) as { services: Record<string, Service> };
const services = compose.services;
const fromCompose = (path: string) => resolve(dirname(composeFile), path);

describe('local-dev/compose.yaml', () => {
  it('builds from the repository Dockerfile, only targets it defines', () => {
    const built = Object.entries(services).filter(([, s]) => s.build);
    expect(built.map(([name]) => name).sort()).toEqual(['edge-adapter', 'edge-site', 'functions', 'gateway', 'simulators']);
    for (const [name, { build }] of built) {
      const dockerfile = join(fromCompose(build?.context ?? ''), build?.dockerfile ?? '');
      expect(existsSync(dockerfile), name).toBe(true);
      expect(
        readDockerfile(dockerfile).stages.map((s) => s.name),
        name,
      ).toContain(build?.target);
    }
  });

  it('pins every image it pulls, Kafka to the version the tests run', () => {
    for (const [name, { image }] of Object.entries(services)) {
      if (!image) continue;
      expect(image, name).toMatch(/^[a-z0-9./-]+:[0-9][\w.-]*$/);
    }
    expect(services.kafka?.image).toBe(`apache/kafka:${kafkaVersion}`);
  });

  it('names only services that exist (depends_on, network_mode) and files that exist (bind mounts)', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {}))
        expect(services, `${name} → ${dependency}`).toHaveProperty([dependency]);
      if (service.network_mode?.startsWith('service:'))
        expect(services, name).toHaveProperty([service.network_mode.slice('service:'.length)]);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('.')) expect(existsSync(fromCompose(source)), `${name}: ${source}`).toBe(true);
      }
    }
  });

  it('connects the processes to services that exist, with the credentials PostgreSQL is given', () => {
    for (const name of ['functions', 'gateway']) {
      const env = services[name]?.environment ?? {};
      const hosts = [
        ...String(env.KAFKA_BROKERS)
          .split(',')
          .map((b) => b.split(':')[0]),
        new URL(String(env.REDIS_URL)).hostname,
        new URL(String(env.DATABASE_URL)).hostname,
      ];
      for (const host of hosts) expect(services, `${name} → ${host}`).toHaveProperty([host ?? '']);
      const db = new URL(String(env.DATABASE_URL));
      expect({ user: db.username, password: db.password, db: db.pathname.slice(1) }).toEqual({
        user: services.postgres?.environment?.POSTGRES_USER,
        password: services.postgres?.environment?.POSTGRES_PASSWORD,
        db: services.postgres?.environment?.POSTGRES_DB,
      });
    }
  });

  it('sets only variables the function runner reads, and runs every function on the kafka host', () => {
    const env = services.functions?.environment ?? {};
    const known = new Set([...Object.keys(RuntimeEnv.shape), ...Object.keys(ConfigEnv.shape)]);
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    expect(RuntimeEnv.safeParse(env).error?.issues ?? []).toEqual([]);
    expect(env.FLOWLINE_HOST).toBe('kafka');
  });

  it('creates the topics with the partition counts of the chart values', () => {
    const script = services.topics?.command?.join('\n') ?? '';
    const created = Object.fromEntries([...script.matchAll(/^\s*([a-z0-9.-]+) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    const values = load(readFileSync(join(repoRoot, 'charts', 'flowline', 'values.yaml'), 'utf8')) as {
      kafka: { topicPartitions: Record<string, number> };
    };
    expect(created).toEqual(values.kafka.topicPartitions);
  });

  it('runs the edge profile on the example well pad, which the adapter accepts, against the broker compose publishes', () => {
    const mount = services['edge-adapter']?.volumes?.find((v) => v.includes('/etc/flowline/edge-adapter/')) ?? '';
    const file = fromCompose(mount.split(':')[0] ?? '');
    const config = loadYamlConfig(readFileSync(file, 'utf8'), file, EdgeConfig);
    const hostListener = /HOST:\/\/localhost:(\d+)/.exec(String(services.kafka?.environment?.KAFKA_ADVERTISED_LISTENERS))?.[1];
    expect(config.kafka?.brokers).toEqual([`127.0.0.1:${hostListener}`]);
    expect(services['edge-adapter']?.network_mode).toBe('service:kafka');
    expect(Object.keys(services['edge-adapter']?.environment ?? {}).sort()).toEqual(['FLOWLINE_STATE_DIR', 'LOG_LEVEL']);
  });

  it('runs the site profile on the same pad, its console published, its Redis one of its own', () => {
    const site = services['edge-site'] as Service & { entrypoint?: string[] };
    expect(site.entrypoint).toEqual(['node', 'edge-site/main.ts']);
    expect(existsSync(join(repoRoot, 'edge-site', 'main.ts'))).toBe(true);
    expect(site.volumes).toEqual(expect.arrayContaining([services['edge-adapter']?.volumes?.[0]]));
    expect(site.network_mode).toBe('service:kafka');
    expect(services.simulators?.profiles).toEqual(expect.arrayContaining(['edge', 'site']));
    const env = site.environment ?? {};
    expect(RuntimeEnv.safeParse(env).error?.issues ?? []).toEqual([]);
    expect(services.kafka?.ports).toContain(`${env.PORT}:${env.PORT}`);
    const redis = new URL(String(env.REDIS_URL)).hostname;
    expect(services[redis]?.profiles).toEqual(['site']);
  });
});
