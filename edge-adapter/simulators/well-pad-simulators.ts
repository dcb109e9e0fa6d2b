import { startChaos } from './chaos.ts';
import { ModbusSimulator } from './modbus-simulator.ts';
import { type InProcessBroker, startInProcessBroker } from './mqtt-broker.ts';
import { type MqttPad, startMqttPad } from './mqtt-pad.ts';
import { OpcUaSimulator } from './opcua-simulator.ts';
import { WellPad } from './well-pad.ts';

export interface WellPadSimulatorsOptions {
  /** The OPC UA server's PKI folder (inside the project's state directory). */
  pkiDir: string;
  host?: string;
  /** 0 picks free ports. */
  modbusPort?: number;
  opcuaPort?: number;
  rtuOverTcpPort?: number;
  /** Also the pad's MQTT side (an in-process broker on this port, 0 for a free one, with the Sparkplug gateway and the flow computer); off when absent. */
  mqttPort?: number;
  seed?: number;
  /** Random faults, on average one per this many milliseconds. */
  chaosMeanIntervalMs?: number;
}

export interface WellPadSimulators {
  pad: WellPad;
  modbus: ModbusSimulator;
  opcua: OpcUaSimulator;
  mqtt: { broker: InProcessBroker; devices: MqttPad } | undefined;
  stop(): Promise<void>;
}

/** One well pad served over Modbus TCP (wells, ESP), OPC UA (rig, separator) and, when asked, MQTT (Sparkplug separator skid, gas flow computer). */
export async function startWellPadSimulators(options: WellPadSimulatorsOptions): Promise<WellPadSimulators> {
  const pad = new WellPad({ seed: options.seed ?? 7 });
  const host = options.host ?? '127.0.0.1';
  const modbus = new ModbusSimulator({
    pad,
    host,
    port: options.modbusPort ?? 5020,
    ...(options.rtuOverTcpPort === undefined ? {} : { rtuOverTcpPort: options.rtuOverTcpPort }),
  });
  const opcua = new OpcUaSimulator({ pad, host, port: options.opcuaPort ?? 4840, pkiDir: options.pkiDir });
  await modbus.start();
  let mqtt: WellPadSimulators['mqtt'];
  try {
    await opcua.start();
    if (options.mqttPort !== undefined) {
      const broker = await startInProcessBroker({ host, port: options.mqttPort });
      mqtt = { broker, devices: startMqttPad({ pad, url: broker.url }) };
    }
  } catch (error) {
    await Promise.allSettled([modbus.stop(), opcua.stop()]);
    throw error;
  }
  const stopChaos = options.chaosMeanIntervalMs ? startChaos(pad.faults, { meanIntervalMs: options.chaosMeanIntervalMs }) : () => {};
  return {
    pad,
    modbus,
    opcua,
    mqtt,
    async stop() {
      stopChaos();
      await mqtt?.devices.stop();
      await Promise.allSettled([modbus.stop(), opcua.stop(), mqtt?.broker.stop()]);
    },
  };
}
