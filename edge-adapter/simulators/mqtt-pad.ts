import type { Fault } from './faults.ts';
import { MqttTransmitter } from './mqtt-transmitter.ts';
import { type SimulatedMetric, SparkplugEdgeNode } from './sparkplug-edge-node.ts';
import type { WellPad } from './well-pad.ts';

/** The Sparkplug names of the pad's edge gateway, as edge-adapter/examples/well-pad.yaml reads them. */
export const padSparkplug = { groupId: 'campo-norte', edgeNodeId: 'pad-7-gateway', deviceId: 'separator' } as const;
/** Where the gas flow computer publishes its JSON readings. */
export const flowComputerTopicPrefix = 'pad7/flow-computer/fc-01';

export interface MqttPad {
  edgeNode: SparkplugEdgeNode;
  transmitter: MqttTransmitter;
  stop(): Promise<void>;
}

/**
 * The pad's MQTT side, on a broker at `url`: the separator skid's PLC behind a Sparkplug
 * B edge gateway (pressure, temperature, level, liquid rates, and a level setpoint the
 * PLC holds and a DCMD may change; the pad model's own level controller keeps 50 %),
 * and a gas flow computer publishing plain JSON. Faults from the pad's injector:
 * disconnect (target sparkplug or mqtt), seq-gap (sparkplug), malformed (sparkplug or mqtt).
 */
export function startMqttPad(options: { pad: WellPad; url: string; publishIntervalMs?: number }): MqttPad {
  const { pad, url } = options;
  const reading = (name: string) => () => pad.read(name);
  let levelSetpoint = 50;
  const metrics: SimulatedMetric[] = [
    { name: 'Separator/Pressure', datatype: 'Float', read: reading('Separator.Pressure') },
    { name: 'Separator/Temperature', datatype: 'Float', read: reading('Separator.Temperature') },
    { name: 'Separator/LiquidLevel', datatype: 'Float', read: reading('Separator.LiquidLevel') },
    { name: 'Separator/OilRate', datatype: 'Double', read: reading('Separator.OilRate') },
    { name: 'Separator/WaterRate', datatype: 'Double', read: reading('Separator.WaterRate') },
    {
      name: 'Separator/LevelSetpoint',
      datatype: 'UInt16', // the PLC holds it in tenths of a percent
      read: () => ({ value: Math.round(levelSetpoint * 10), good: true }),
      write: (value) => {
        if (!Number.isInteger(value) || value < 200 || value > 800) return false;
        levelSetpoint = value / 10;
        return true;
      },
    },
  ];
  const edgeNode = new SparkplugEdgeNode({
    url,
    groupId: padSparkplug.groupId,
    edgeNodeId: padSparkplug.edgeNodeId,
    devices: [{ deviceId: padSparkplug.deviceId, metrics }],
    ...(options.publishIntervalMs === undefined ? {} : { publishIntervalMs: options.publishIntervalMs }),
  });
  const transmitter = new MqttTransmitter({
    url,
    topicPrefix: flowComputerTopicPrefix,
    points: [
      { key: 'GasRate', read: reading('Separator.GasRate') },
      { key: 'GasTemp', read: reading('Separator.Temperature') },
    ],
    ...(options.publishIntervalMs === undefined ? {} : { publishIntervalMs: options.publishIntervalMs }),
  });
  const unsubscribe = pad.faults.onFault((fault: Fault) => {
    const ms = Math.max(0, fault.until - Date.now());
    const sparkplug = fault.target === 'sparkplug' || fault.target === '*';
    const mqtt = fault.target === 'mqtt' || fault.target === '*';
    if (fault.kind === 'disconnect' && sparkplug) edgeNode.die(ms);
    if (fault.kind === 'disconnect' && mqtt) transmitter.disconnect(ms);
    if (fault.kind === 'seq-gap' && sparkplug) edgeNode.skipSeq(3);
    if (fault.kind === 'malformed' && sparkplug) edgeNode.publishMalformed();
    if (fault.kind === 'malformed' && mqtt) transmitter.publishMalformed();
  });
  edgeNode.start();
  transmitter.start();
  return {
    edgeNode,
    transmitter,
    async stop() {
      unsubscribe();
      await Promise.allSettled([edgeNode.stop(), transmitter.stop()]);
    },
  };
}
