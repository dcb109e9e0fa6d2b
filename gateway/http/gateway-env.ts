import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.ts';

/** What middleware leaves on the Hono context for the handlers after it. */
export interface GatewayEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** Set by `authenticate`; absent only on public routes. */
    principal: Principal;
  };
}
