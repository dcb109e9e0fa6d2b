import { join } from 'node:path';
import {
  type AddressSpace,
  DataType,
  MessageSecurityMode,
  nodesets,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  type UAVariable,
  Variant,
} from 'node-opcua';
import type { Fault } from './faults.ts';
import { opcUaPoints } from './opcua-node-map.ts';
import type { WellPad } from './well-pad.ts';

export interface OpcUaSimulatorOptions {
  pad: WellPad;
  /** The server's own PKI (certificate, trusted clients and users): always inside the project, never $HOME. */
  pkiDir: string;
  host?: string;
  /** 4840 by default; 0 picks a free port (kept across restarts). */
  port?: number;
  /** Security modes offered; all three by default. */
  securityModes?: ('None' | 'Sign' | 'SignAndEncrypt')[];
  allowAnonymous?: boolean;
  users?: Record<string, string>;
  /** Trust any client certificate (a bench convenience; off means clients must be trusted explicitly). */
  acceptUnknownClients?: boolean;
  tickMs?: number;
}

/**
 * The drilling rig and the separator as an OPC UA server (namespace 1, NodeIds
 * ns=1;s=<Unit>.<Value>), plus a Lab folder for tests: Lab.Ramp climbs 0.1 every 100 ms
 * over an EURange of 0–100, Lab.Setpoint takes any write, Lab.Text is not a number.
 */
export class OpcUaSimulator {
  private readonly options: OpcUaSimulatorOptions;
  private server: OPCUAServer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private boundPort = 0;
  private labSetpoint = 0;
  private unsubscribe: (() => void) | undefined;
  private readonly managers: OPCUACertificateManager[] = [];

  constructor(options: OpcUaSimulatorOptions) {
    this.options = options;
  }

  get port(): number {
    return this.boundPort;
  }

  get endpoint(): string {
    return `opc.tcp://${this.options.host ?? '127.0.0.1'}:${this.boundPort}`;
  }

  /** The server's certificate (PEM), for a client to trust. */
  get certificateFile(): string {
    return join(this.options.pkiDir, 'server', 'own', 'certs', 'certificate.pem');
  }

  async start(): Promise<void> {
    if (this.server) return;
    const o = this.options;
    const serverCertificates = new OPCUACertificateManager({
      rootFolder: join(o.pkiDir, 'server'),
      automaticallyAcceptUnknownCertificate: o.acceptUnknownClients ?? true,
    });
    const userCertificates = new OPCUACertificateManager({
      rootFolder: join(o.pkiDir, 'users'),
      automaticallyAcceptUnknownCertificate: false,
    });
    this.managers.push(serverCertificates, userCertificates);
    const modes = (o.securityModes ?? ['None', 'Sign', 'SignAndEncrypt']).map((m) => MessageSecurityMode[m]);
    const server = new OPCUAServer({
      port: this.boundPort || (o.port ?? 4840),
      hostname: o.host ?? '127.0.0.1',
      alternateHostname: [o.host ?? '127.0.0.1'],
      serverCertificateManager: serverCertificates,
      userCertificateManager: userCertificates,
      nodeset_filename: [nodesets.standard],
      securityModes: modes,
      securityPolicies: modes.some((m) => m !== MessageSecurityMode.None)
        ? [SecurityPolicy.None, SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep, SecurityPolicy.Aes256_Sha256_RsaPss]
        : [SecurityPolicy.None],
      allowAnonymous: o.allowAnonymous ?? true,
      userManager: { isValidUser: (user: string, password: string) => o.users?.[user] !== undefined && o.users[user] === password },
      buildInfo: { productName: 'Flowline well pad simulator', manufacturerName: 'Flowline' },
      serverInfo: { applicationUri: 'urn:flowline:well-pad-simulator', productUri: 'urn:flowline:well-pad-simulator' },
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('the OPC UA server has no address space');
    const update = this.build(addressSpace);
    await server.start();
    this.server = server;
    this.boundPort = server.endpoints[0]?.port ?? this.boundPort;
    update();
    this.timer = setInterval(update, o.tickMs ?? 100);
    this.unsubscribe ??= o.pad.faults.onFault((fault: Fault) => {
      if (fault.kind === 'disconnect' && (fault.target === '*' || fault.target === 'opcua')) void this.disconnect(fault.until - Date.now());
    });
  }

  async stop(): Promise<void> {
    clearTimeout(this.reopenTimer);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.shutdown();
  }

  /** Shuts the server down (every session lost) and starts a fresh one on the same port. */
  async restart(): Promise<void> {
    await this.shutdown();
    await this.start();
  }

  /** The server goes away for `durationMs`, then comes back on the same port. */
  async disconnect(durationMs: number): Promise<void> {
    clearTimeout(this.reopenTimer);
    await this.shutdown();
    this.reopenTimer = setTimeout(() => void this.start().catch(() => {}), Math.max(0, durationMs));
  }

  /** Trusts a client application certificate (PEM or DER), as an administrator would. */
  async trustClient(certificate: Buffer): Promise<void> {
    const manager = this.managers[0];
    if (!manager) throw new Error('start the simulator first');
    await manager.trustCertificate(toDer(certificate));
  }

  /** Trusts a user's X.509 identity certificate (PEM or DER). */
  async trustUser(certificate: Buffer): Promise<void> {
    const manager = this.managers[1];
    if (!manager) throw new Error('start the simulator first');
    await manager.trustCertificate(toDer(certificate));
  }

  /** The value a client last wrote to Lab.Setpoint. */
  get labSetpointValue(): number {
    return this.labSetpoint;
  }

  private build(addressSpace: AddressSpace): () => void {
    const { pad } = this.options;
    const ns = addressSpace.getOwnNamespace();
    const root = ns.addFolder(addressSpace.rootFolder.objects, { browseName: 'WellPad', nodeId: 's=WellPad' });
    const folders = new Map<string, ReturnType<typeof ns.addFolder>>();
    const folder = (unit: string) => {
      let f = folders.get(unit);
      if (!f) {
        f = ns.addFolder(root, { browseName: unit, nodeId: `s=${unit}` });
        folders.set(unit, f);
      }
      return f;
    };
    const live: { variable: UAVariable; read: (now: number) => { value: number; good: boolean } }[] = [];
    for (const point of opcUaPoints) {
      const [unit, name] = point.name.split('.') as [string, string];
      const common = {
        componentOf: folder(unit),
        browseName: name,
        nodeId: `s=${point.name}`,
        dataType: 'Double',
        engineeringUnitsRange: { low: point.range[0], high: point.range[1] },
        engineeringUnits: point.unit,
        minimumSamplingInterval: 50,
      };
      if (point.writable) {
        ns.addAnalogDataItem({
          ...common,
          accessLevel: 'CurrentRead | CurrentWrite',
          userAccessLevel: 'CurrentRead | CurrentWrite',
          value: {
            get: () => new Variant({ dataType: DataType.Double, value: pad.read(point.name).value }),
            set: (variant: Variant) => (pad.setpoint(point.name, Number(variant.value)) ? StatusCodes.Good : StatusCodes.BadOutOfRange),
          },
        });
      } else {
        live.push({ variable: ns.addAnalogDataItem(common), read: (now) => pad.read(point.name, now) });
      }
    }
    const lab = folder('Lab');
    const ramp = ns.addAnalogDataItem({
      componentOf: lab,
      browseName: 'Ramp',
      nodeId: 's=Lab.Ramp',
      dataType: 'Double',
      engineeringUnitsRange: { low: 0, high: 100 },
      minimumSamplingInterval: 50,
    });
    live.push({ variable: ramp, read: (now) => ({ value: (Math.floor(now / 100) % 1000) / 10, good: true }) });
    ns.addVariable({
      componentOf: lab,
      browseName: 'Setpoint',
      nodeId: 's=Lab.Setpoint',
      dataType: 'Double',
      accessLevel: 'CurrentRead | CurrentWrite',
      userAccessLevel: 'CurrentRead | CurrentWrite',
      minimumSamplingInterval: 50,
      value: {
        get: () => new Variant({ dataType: DataType.Double, value: this.labSetpoint }),
        set: (variant: Variant) => {
          this.labSetpoint = Number(variant.value);
          return StatusCodes.Good;
        },
      },
    });
    ns.addVariable({
      componentOf: lab,
      browseName: 'Text',
      nodeId: 's=Lab.Text',
      dataType: 'String',
      value: { dataType: DataType.String, value: 'RUNNING' },
    });
    return () => {
      const now = Date.now();
      for (const { variable, read } of live) {
        const reading = read(now);
        variable.setValueFromSource(
          new Variant({ dataType: DataType.Double, value: reading.value }),
          reading.good ? StatusCodes.Good : StatusCodes.BadSensorFailure,
          new Date(now),
        );
      }
    };
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.timer);
    const server = this.server;
    this.server = undefined;
    await server?.shutdown(0);
    for (const m of this.managers.splice(0)) await m.dispose();
  }
}

function toDer(certificate: Buffer): Buffer {
  const text = certificate.toString('latin1');
  if (!text.startsWith('-----')) return certificate;
  const base64 = text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return Buffer.from(base64, 'base64');
}
