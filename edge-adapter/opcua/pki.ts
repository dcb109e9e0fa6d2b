import { OPCUACertificateManager } from 'node-opcua';

/**
 * The adapter's OPC UA PKI: its own application certificate (created on first use in
 * <pkiDir>/own/certs) and the lists of server certificates it trusts (<pkiDir>/trusted)
 * or has rejected (<pkiDir>/rejected, where an operator finds a new server's certificate
 * to approve by moving it to trusted/certs). Always inside the state directory: never
 * the per-user default node-opcua would otherwise pick under $HOME.
 */
export class EdgePki {
  private readonly dir: string;
  private readonly managers = new Map<boolean, Promise<OPCUACertificateManager>>();

  constructor(dir: string) {
    this.dir = dir;
  }

  get rootFolder(): string {
    return this.dir;
  }

  /** One manager per trust policy; both share the same folder and certificate. */
  certificateManager(acceptUnknownServerCertificate: boolean): Promise<OPCUACertificateManager> {
    let manager = this.managers.get(acceptUnknownServerCertificate);
    if (!manager) {
      const earlier = [...this.managers.values()];
      manager = (async () => {
        // Initialise one after the other: two managers creating the same files at once would race.
        await Promise.allSettled(earlier);
        const created = new OPCUACertificateManager({
          rootFolder: this.dir,
          automaticallyAcceptUnknownCertificate: acceptUnknownServerCertificate,
        });
        await created.initialize();
        return created;
      })();
      this.managers.set(acceptUnknownServerCertificate, manager);
    }
    return manager;
  }

  async dispose(): Promise<void> {
    const managers = await Promise.allSettled(this.managers.values());
    this.managers.clear();
    for (const m of managers) if (m.status === 'fulfilled') await m.value.dispose();
  }
}
