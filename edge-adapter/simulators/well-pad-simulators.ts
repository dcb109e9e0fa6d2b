import { startChaos } from './chaos.ts';
import { ModbusSimulator } from './modbus-simulator.ts';
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
  seed?: number;
  /** Random faults, on average one per this many milliseconds. */
  chaosMeanIntervalMs?: number;
}

export interface WellPadSimulators {
  pad: WellPad;
  modbus: ModbusSimulator;
  opcua: OpcUaSimulator;
  stop(): Promise<void>;
}

/** One well pad served over Modbus TCP (wells, ESP) and OPC UA (rig, separator). */
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
  try {
    await opcua.start();
  } catch (error) {
    await modbus.stop();
    throw error;
  }
  const stopChaos = options.chaosMeanIntervalMs ? startChaos(pad.faults, { meanIntervalMs: options.chaosMeanIntervalMs }) : () => {};
  return {
    pad,
    modbus,
    opcua,
    async stop() {
      stopChaos();
      await Promise.allSettled([modbus.stop(), opcua.stop()]);
    },
  };
}
