import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { qualityClass } from '../../contracts/quality.ts';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';

/** The adapter's Prometheus series. Gauges that mirror live state are filled at scrape time. */
export interface EdgeMetrics {
  readonly registry: Registry;
  readonly samplesRead: Counter<'device' | 'quality'>;
  readonly modbusRequests: Counter<'device' | 'function' | 'outcome'>;
  readonly pollSeconds: Histogram<'device'>;
  readonly pollOverruns: Counter<'device'>;
  readonly reconnects: Counter<'device'>;
  readonly forwarded: Counter<'kind'>;
  readonly sinkFailures: Counter;
  readonly bufferDropped: Counter<'reason'>;
  readonly bufferCompacted: Counter;
  readonly bufferCorruptFiles: Counter;
  readonly commands: Counter<'status' | 'code'>;
  readonly mqttMessages: Counter<'device' | 'outcome'>;
  readonly sparkplugEvents: Counter<'node' | 'event'>;
}

export interface LiveState {
  bufferDepth(): number;
  bufferCapacity(): number;
  bufferBytes(): number;
  bufferMinutes(): number;
  sinkUp(): boolean;
  devices(): { id: string; protocol: string; connected: boolean }[];
}

export function createEdgeMetrics(live: LiveState, options: { processMetrics?: boolean } = {}): EdgeMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  new Gauge({
    name: 'flowline_edge_buffer_depth',
    help: 'Samples in the store-and-forward buffer, waiting for the sink.',
    registers,
    collect() {
      this.set(live.bufferDepth());
    },
  });
  new Gauge({
    name: 'flowline_edge_buffer_capacity',
    help: 'The bound of the store-and-forward buffer, in samples.',
    registers,
    collect() {
      this.set(live.bufferCapacity());
    },
  });
  new Gauge({
    name: 'flowline_edge_buffer_bytes',
    help: 'Bytes the store-and-forward buffer occupies on disk.',
    registers,
    collect() {
      this.set(live.bufferBytes());
    },
  });
  new Gauge({
    name: 'flowline_edge_buffer_minutes',
    help: 'Compacted tag-minutes in the store-and-forward buffer, waiting for the sink.',
    registers,
    collect() {
      this.set(live.bufferMinutes());
    },
  });
  new Gauge({
    name: 'flowline_edge_sink_up',
    help: '1 when the last send to the sink (Kafka) succeeded.',
    registers,
    collect() {
      this.set(live.sinkUp() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'flowline_edge_device_connected',
    help: '1 when the adapter is connected to the device.',
    labelNames: ['device', 'protocol'],
    registers,
    collect() {
      this.reset();
      for (const d of live.devices()) this.set({ device: d.id, protocol: d.protocol }, d.connected ? 1 : 0);
    },
  });
  return {
    registry,
    samplesRead: new Counter({
      name: 'flowline_edge_samples_read_total',
      help: 'Samples read from devices, by quality class (good, uncertain, bad).',
      labelNames: ['device', 'quality'],
      registers,
    }),
    modbusRequests: new Counter({
      name: 'flowline_edge_modbus_requests_total',
      help: 'Modbus requests, by function code and outcome (ok, timeout, exception, connection).',
      labelNames: ['device', 'function', 'outcome'],
      registers,
    }),
    pollSeconds: new Histogram({
      name: 'flowline_edge_poll_duration_seconds',
      help: 'Time to read every tag of a Modbus device once.',
      labelNames: ['device'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    pollOverruns: new Counter({
      name: 'flowline_edge_poll_overruns_total',
      help: 'Poll cycles skipped because the previous one outlasted the poll interval.',
      labelNames: ['device'],
      registers,
    }),
    reconnects: new Counter({
      name: 'flowline_edge_reconnects_total',
      help: 'Connections (re-)established to a device after a loss.',
      labelNames: ['device'],
      registers,
    }),
    forwarded: new Counter({
      name: 'flowline_edge_forwarded_total',
      help: 'Records acknowledged by the sink: samples, compacted minutes, or events (command results and audit records).',
      labelNames: ['kind'],
      registers,
    }),
    sinkFailures: new Counter({
      name: 'flowline_edge_sink_failures_total',
      help: 'Sends to the sink that failed (the records stayed in the buffer).',
      registers,
    }),
    bufferDropped: new Counter({
      name: 'flowline_edge_buffer_dropped_total',
      help: 'Samples lost to the buffer bound (reason: drop-oldest, drop-newest, or minute-bound: compacted minutes past buffer.maxMinutes) or to a disk error (reason: disk).',
      labelNames: ['reason'],
      registers,
    }),
    bufferCompacted: new Counter({
      name: 'flowline_edge_buffer_compacted_total',
      help: 'Samples compacted into per-tag minute rollups because the buffer reached buffer.maxSamples.',
      registers,
    }),
    bufferCorruptFiles: new Counter({
      name: 'flowline_edge_buffer_corrupt_files_total',
      help: 'Unreadable buffer files moved aside at start (a fresh buffer was opened in their place).',
      registers,
    }),
    commands: new Counter({
      name: 'flowline_edge_commands_total',
      help: 'Commands decided, by status (applied, refused, failed) and code.',
      labelNames: ['status', 'code'],
      registers,
    }),
    mqttMessages: new Counter({
      name: 'flowline_edge_mqtt_messages_total',
      help: 'Plain MQTT messages per device, by outcome: sample, malformed (the payload did not fit the mapping) or unknown-tag.',
      labelNames: ['device', 'outcome'],
      registers,
    }),
    sparkplugEvents: new Counter({
      name: 'flowline_edge_sparkplug_events_total',
      help: 'Sparkplug B session events per edge node (group/node): birth, death, seq-gap, bdseq-missing, bdseq-mismatch, no-birth, unknown-alias, rebirth-requested, malformed.',
      labelNames: ['node', 'event'],
      registers,
    }),
  };
}

/** Counts a batch of samples read, one counter update per quality class; returns how many were bad. */
export function countByQuality(samples: readonly TelemetryRaw[], device: string, metrics: EdgeMetrics): number {
  const counts = { good: 0, uncertain: 0, bad: 0 };
  for (const s of samples) counts[qualityClass(s.quality)] += 1;
  for (const [quality, n] of Object.entries(counts)) if (n > 0) metrics.samplesRead.inc({ device, quality }, n);
  return counts.bad;
}
