/**
 * The well-pad simulators on their own, for local development against the example config:
 *
 *   node edge-adapter/simulators/main.ts [--modbus-port 5020] [--rtu-port 5021] [--opcua-port 4840]
 *                                        [--mqtt-port 1883] [--control-port 8502] [--chaos 60]
 *
 * Fault injection over HTTP on the control port:
 *   curl -XPOST localhost:8502/faults -d '{"kind":"frozen","target":"W1.TubingPressure","durationMs":30000}'
 *   curl localhost:8502/faults        curl -XDELETE localhost:8502/faults        curl localhost:8502/values
 * Kinds: disconnect (target modbus | opcua | sparkplug | mqtt | *), bad-quality, frozen, spike (target a value, a unit or *),
 * seq-gap (target sparkplug), malformed (target sparkplug | mqtt).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { z } from 'zod';
import { faultKinds } from './faults.ts';
import { startWellPadSimulators } from './well-pad-simulators.ts';

const { values } = parseArgs({
  options: {
    'modbus-port': { type: 'string', default: '5020' },
    'rtu-port': { type: 'string', default: '5021' },
    'opcua-port': { type: 'string', default: '4840' },
    'mqtt-port': { type: 'string', default: '1883' },
    'control-port': { type: 'string', default: '8502' },
    chaos: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const port = (name: string, text: string | undefined) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`simulators: --${name} must be a TCP port, got ${text}`);
    process.exit(2);
  }
  return n;
};

const stateDir = process.env.FLOWLINE_STATE_DIR || join(process.cwd(), '.flowline');
const simulators = await startWellPadSimulators({
  host: values.host,
  modbusPort: port('modbus-port', values['modbus-port']),
  rtuOverTcpPort: port('rtu-port', values['rtu-port']),
  opcuaPort: port('opcua-port', values['opcua-port']),
  mqttPort: port('mqtt-port', values['mqtt-port']),
  pkiDir: join(stateDir, 'simulators', 'opcua-pki'),
  ...(values.chaos ? { chaosMeanIntervalMs: Number(values.chaos) * 1000 } : {}),
});

const Fault = z
  .object({
    kind: z.enum(faultKinds),
    target: z.string().min(1).default('*'),
    durationMs: z.number().int().positive().max(3_600_000).default(30_000),
  })
  .strict();
const control = new Hono();
control.post('/faults', async (c) => {
  const parsed = Fault.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) return c.json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 400);
  return c.json(simulators.pad.faults.inject(parsed.data.kind, parsed.data.target, parsed.data.durationMs), 201);
});
control.get('/faults', (c) => c.json(simulators.pad.faults.active()));
control.delete('/faults', (c) => {
  simulators.pad.faults.clear();
  return c.body(null, 204);
});
control.get('/values', (c) => c.json(Object.fromEntries(simulators.pad.names().map((n) => [n, simulators.pad.read(n)]))));
const controlServer = serve({ fetch: control.fetch, port: port('control-port', values['control-port']), hostname: values.host });

console.log(
  [
    `Modbus TCP      ${values.host}:${simulators.modbus.port} (unit 1 wellhead RTU, unit 2 ESP drive)`,
    `Modbus RTU/TCP  ${values.host}:${simulators.modbus.rtuOverTcpPort}`,
    `OPC UA          ${simulators.opcua.endpoint} (rig, separator; None, Sign, SignAndEncrypt)`,
    `MQTT            ${simulators.mqtt?.broker.url} (Sparkplug B spBv1.0/campo-norte/+/pad-7-gateway/#, JSON pad7/flow-computer/fc-01/+)`,
    `fault control   http://${values.host}:${values['control-port']}/faults`,
  ].join('\n'),
);
const stop = async () => {
  controlServer.close();
  await simulators.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
