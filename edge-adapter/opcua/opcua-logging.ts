import { format } from 'node:util';
import { setErrorLogger, setWarningLogger } from 'node-opcua';
import type { Logger } from 'pino';

/**
 * node-opcua prints its warnings and errors straight to the console, process-wide.
 * Route them through pino instead, one level down: its warnings are chatty (endpoint
 * matching, operational limits), its errors are usually retried, and the edge adapter
 * logs the state changes that matter itself, with the device they concern.
 */
export function routeNodeOpcuaLogs(log: Logger): void {
  const opcua = log.child({ component: 'node-opcua' });
  setWarningLogger((...args: unknown[]) => opcua.debug(format(...args)));
  setErrorLogger((...args: unknown[]) => opcua.warn(format(...args)));
}
