import { createEvent, encodeEvent } from '../runtime/envelope.ts';
import type { OutboundMessage } from '../runtime/settle.ts';

/**
 * What `npm start` does on its own so a newcomer sees alarms come and go: every three
 * minutes a (simulated) operator pinches norte-01's choke to 35 % through a real command
 * (scada.commands → the edge adapter's guard rails → the Modbus simulator), which drives
 * its tubing pressure past the high limit, then opens it again a minute later.
 */
export function startDemoScenario(options: {
  publish: (messages: OutboundMessage[]) => void;
  siteId: string;
  log: (line: string) => void;
}): { stop(): void } {
  let n = 0;
  const choke = (value: number, reason: string) => {
    n += 1;
    const command = {
      commandId: `demo-${Date.now()}-${n}`,
      timestamp: Date.now(),
      siteId: options.siteId,
      deviceId: 'rtu-w01',
      tagId: 'choke_setpoint',
      value,
      requestedBy: { userId: 'demo-operator', role: 'operator' as const },
      reason,
    };
    const event = createEvent({ source: 'flowline/npm-start-demo', type: 'scada.commands', data: command, partitionkey: command.deviceId });
    options.publish([{ topic: 'scada.commands', key: command.deviceId, value: encodeEvent(event).toString('utf8') }]);
    options.log(`DEMO  operator sets rtu-w01 choke_setpoint to ${value} % (${reason})`);
  };
  const cycle = () => {
    choke(35, 'demo: pinch the choke; tubing pressure will climb past its high limit');
    return setTimeout(() => choke(100, 'demo: open the choke again'), 60_000);
  };
  let reopen: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    reopen = cycle();
  }, 20_000);
  const every = setInterval(() => {
    reopen = cycle();
  }, 180_000);
  return {
    stop() {
      clearTimeout(first);
      clearTimeout(reopen);
      clearInterval(every);
    },
  };
}
