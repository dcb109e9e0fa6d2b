import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeHealth } from './ops/edge-health.ts';
import { ModbusSimulator } from './simulators/modbus-simulator.ts';
import { WellPad } from './simulators/well-pad.ts';
import { openSampleJournal } from './store-and-forward/sample-journal.ts';

/**
 * The process as an operator runs it: `node edge-adapter/main.ts --config <file>`.
 * Kafka is deliberately unreachable here, which is the adapter's normal state on a pad
 * whose link is down: it must read, buffer, and say so on /healthz and /metrics.
 */
const dir = mkdtempSync(join(tmpdir(), 'edge-main-'));
const simulator = new ModbusSimulator({ pad: new WellPad(), port: 0 });
const main = join(import.meta.dirname, 'main.ts');

beforeAll(() => simulator.start());
afterAll(async () => {
  await simulator.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runMain(config: string) {
  const file = join(dir, `edge-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, config);
  const child = spawn(process.execPath, [main, '--config', file], {
    env: { ...process.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, output: () => output, file };
}

/** A buffer of a few thousand samples cut in half, as a full disk or a bad copy leaves one. */
function truncatedBuffer(path: string) {
  const journal = openSampleJournal({ path, maxSamples: 100_000, whenFull: 'compact', sync: 'full' });
  journal.appendSamples(
    Array.from({ length: 5_000 }, (_, i) => ({
      timestamp: 1_700_000_000_000 + i,
      deviceId: 'wellhead-rtu',
      tagId: 'w1-tubing-pressure',
      value: i,
      quality: 192,
      sourceProtocol: 'MODBUS' as const,
    })),
  );
  journal.close();
  truncateSync(path, Math.floor(statSync(path).size / 2));
}

const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** A pad of one Modbus RTU on the simulator, its Kafka a port nobody listens on. */
async function padConfig(options: { site: string; state: string; httpPort: number; pollIntervalMs: number; extra?: string; tags: string }) {
  return `site: ${options.site}
stateDir: ${JSON.stringify(join(dir, options.state))}
http: { host: 127.0.0.1, port: ${options.httpPort} }
kafka: { brokers: ["127.0.0.1:${await closedPort()}"] }
${options.extra ?? ''}commands: { enabled: false }
devices:
  - id: wellhead-rtu
    protocol: modbus
    host: 127.0.0.1
    port: ${simulator.port}
    pollIntervalMs: ${options.pollIntervalMs}
${options.tags}
`;
}

/** /healthz, polled until `done` holds or 45 s pass; the last answer either way. */
async function healthUntil(httpPort: number, done: (health: EdgeHealth) => boolean): Promise<EdgeHealth | undefined> {
  let health: EdgeHealth | undefined;
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    health = await fetch(`http://127.0.0.1:${httpPort}/healthz`)
      .then((r) => r.json() as Promise<EdgeHealth>)
      .catch(() => undefined);
    if (health && done(health)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return health;
}

const logLine = (output: string, text: string) => output.split('\n').find((l) => l.includes(text));

describe('node edge-adapter/main.ts', () => {
  it('refuses a wrong configuration with the line of each mistake and exit code 2', async () => {
    const run = runMain(
      'site: pad-7\nkafka: { brokers: [k:9092] }\ndevices:\n  - id: plc\n    protocol: modbus\n    host: h\n    tags:\n      - { id: p, table: input-register, address: -1, type: float32 }\n',
    );
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain(`${run.file}:8: devices.0.tags.0.address:`);
  });

  it('reads and buffers while Kafka is unreachable, and reports it on /healthz and /metrics', { timeout: 60_000 }, async () => {
    const httpPort = await closedPort();
    const run = runMain(
      await padConfig({
        site: 'pad-main',
        state: 'state',
        httpPort,
        pollIntervalMs: 100,
        tags: '    wordOrder: little\n    tags:\n      - { id: w1-tubing-pressure, table: input-register, address: 0, type: float32 }',
      }),
    );
    const health = await healthUntil(httpPort, (h) => h.sink.state === 'unreachable' && h.buffer.depth >= 20);
    expect(health).toMatchObject({
      status: 'degraded',
      site: 'pad-main',
      sink: { state: 'unreachable' },
      devices: { 'wellhead-rtu': { state: 'connected' } },
    });
    expect(health?.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(health?.buffer.bytesOnDisk).toBeGreaterThan(0);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/flowline_edge_buffer_depth \d+/);
    expect(metrics).toMatch(/flowline_edge_sink_up 0/);
    expect(metrics).toMatch(/flowline_edge_device_connected\{device="wellhead-rtu",protocol="modbus"\} 1/);
    expect((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status).toBe(503);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(JSON.parse(logLine(run.output(), '"edge adapter stopped"') ?? '{}').bufferDepth).toBeGreaterThan(0);
  });

  const damaged: [string, (path: string) => void, RegExp][] = [
    ['truncated', truncatedBuffer, /malformed|quick_check/],
    ['garbage', (path) => writeFileSync(path, 'not a database, whatever a power cut left here '.repeat(200)), /^file is not a database$/],
  ];
  it.for(damaged)(
    'starts on a %s buffer file: moves it aside, says so, counts it, and reads on',
    { timeout: 60_000 },
    async ([kind, damage, reason]) => {
      const httpPort = await closedPort();
      const siteDir = join(dir, `state-${kind}`, 'edge', 'pad-corrupt');
      mkdirSync(siteDir, { recursive: true });
      damage(join(siteDir, 'buffer.sqlite'));
      const run = runMain(
        await padConfig({
          site: 'pad-corrupt',
          state: `state-${kind}`,
          httpPort,
          pollIntervalMs: 100,
          tags: '    tags:\n      - { id: w1-tubing-pressure, table: input-register, address: 0, type: float32 }',
        }),
      );
      const health = await healthUntil(httpPort, (h) => h.buffer.depth >= 5);
      expect(health?.buffer).toMatchObject({ corruptFilesMovedAside: 1 });
      expect(health?.buffer.depth).toBeGreaterThanOrEqual(5);
      const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      expect(metrics).toMatch(/flowline_edge_buffer_corrupt_files_total 1/);
      expect(readdirSync(siteDir).filter((f) => f.startsWith('buffer.sqlite.corrupt-'))).toHaveLength(1);
      expect(JSON.parse(logLine(run.output(), 'moved aside') ?? '{}')).toMatchObject({ level: 50, reason: expect.stringMatching(reason) });
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    },
  );

  it('past buffer.maxSamples compacts instead of dropping, says so once, and shows it', { timeout: 60_000 }, async () => {
    const httpPort = await closedPort();
    const tags = Array.from({ length: 8 }, (_, k) => `      - { id: t${k}, table: input-register, address: ${k * 2}, type: float32 }`);
    const run = runMain(
      await padConfig({
        site: 'pad-compact',
        state: 'state-compact',
        httpPort,
        pollIntervalMs: 20,
        extra: 'buffer: { maxSamples: 1000, maxMinutes: 1000 }\n',
        tags: `    tags:\n${tags.join('\n')}`,
      }),
    );
    const health = await healthUntil(httpPort, (h) => h.buffer.compacted >= 500);
    expect(health?.buffer).toMatchObject({ policy: 'compact', capacity: 1000, minuteCapacity: 1000, dropped: 0 });
    expect(health?.buffer.compacted).toBeGreaterThanOrEqual(500);
    expect(health?.buffer.depth).toBeLessThanOrEqual(1000);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    // Eight tags over the minute or two this ran: a piece each per minute, and a new one after
    // each failed send (a piece handed to the sink is never extended), not one per sample.
    const failedSends = Number(/flowline_edge_sink_failures_total (\d+)/.exec(metrics)?.[1]);
    expect(health?.buffer.pendingMinutes).toBeGreaterThanOrEqual(8);
    expect(health?.buffer.pendingMinutes).toBeLessThanOrEqual(8 * (2 + failedSends));
    expect(Number(/flowline_edge_buffer_compacted_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(500);
    expect(metrics).toMatch(/flowline_edge_buffer_minutes \d+/);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const lines = run
      .output()
      .split('\n')
      .filter((l) => l.includes('reached buffer.maxSamples'));
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(logLine(run.output(), '"edge adapter stopped"') ?? '{}');
    expect(summary.dropped).toBe(0);
  });
});
