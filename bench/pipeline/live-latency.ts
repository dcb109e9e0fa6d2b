import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * A viewer of the field's live room through the gateway, over the WebSocket API a browser
 * has (Node's global WebSocket): each `telemetry:update` it receives is a sample that went
 * raw → validate → Redis → gateway → socket; its latency is the arrival time minus the
 * sample's own timestamp, read from the message itself.
 */
export interface LiveViewer {
  /** Latencies (ms) of the samples stamped within [from, to], in arrival order. */
  latencies(from: number, to: number): number[];
  /** How often the gateway told this viewer it had dropped messages to keep up (resync). */
  readonly resyncs: number;
  close(): void;
}

/** A secret the bench gives the gateway and signs its viewer's token with (HS256, 256 bits). */
export const benchJwtSecret = (): string => randomBytes(32).toString('hex');

export async function openLiveViewer(options: { gatewayUrl: string; secret: string; tenant: string; room: string }): Promise<LiveViewer> {
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ role: 'viewer', tenant: options.tenant, name: 'bench viewer' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('bench-viewer')
    .setIssuedAt(now)
    .setExpirationTime(now + 6 * 3600)
    .sign(new TextEncoder().encode(options.secret));
  const seen: { timestamp: number; latency: number }[] = [];
  let resyncs = 0;
  const socket = new WebSocket(`${options.gatewayUrl.replace(/^http/, 'ws')}/v1/live`, ['flowline.v1', `bearer.${token}`]);
  await new Promise<void>((resolve, reject) => {
    socket.onmessage = (message) => {
      const arrived = Date.now();
      const m = JSON.parse(String(message.data)) as { type: string; room?: string; data?: { timestamp?: number } };
      if (m.type === 'subscribed') resolve();
      else if (m.type === 'resync') resyncs++;
      else if (m.type === 'error') reject(new Error(`the gateway refused the bench's live subscription: ${JSON.stringify(m)}`));
      else if (m.type === 'telemetry:update' && typeof m.data?.timestamp === 'number')
        seen.push({ timestamp: m.data.timestamp, latency: arrived - m.data.timestamp });
    };
    socket.onopen = () => socket.send(JSON.stringify({ op: 'subscribe', room: options.room }));
    socket.onerror = () => reject(new Error(`could not open ${options.gatewayUrl}/v1/live`));
  });
  return {
    latencies: (from, to) => seen.filter((s) => s.timestamp >= from && s.timestamp <= to).map((s) => s.latency),
    get resyncs() {
      return resyncs;
    },
    close: () => socket.close(),
  };
}
