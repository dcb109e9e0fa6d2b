import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CloudEvent } from '../runtime/envelope.ts';
import type { Queryable } from '../runtime/resources/db.ts';
import type { TenantAssets } from './assets/tenant-assets.ts';
import { type AuditFact, auditEvent } from './audit/audit-trail.ts';
import type { SessionKeeper } from './auth/session-keeper.ts';
import type { UserDirectory } from './auth/users.ts';
import type { EventPublisher, OutgoingEvent } from './bus/event-publisher.ts';
import type { ConfigDocuments } from './config/config-documents.ts';
import type { GatewayOptions } from './deps.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import { problem } from './http/problem.ts';
import type { SecuredRoute } from './http/secured-route.ts';
import type { FunctionInvoker } from './invoke/function-invoker.ts';
import type { RateLimiter } from './rate-limit/rate-limiter.ts';
import type { EdgeStatusSource } from './status/edge-status.ts';
import type { FunctionStatus } from './status/function-status.ts';

/** What the route groups share: the gateway's dependencies, assembled once by createGateway. */
export interface GatewayServices {
  redis: Redis;
  db: Queryable | undefined;
  publisher: EventPublisher;
  invoker: FunctionInvoker;
  assets: TenantAssets;
  staleAfterMs(deviceId: string, tagId: string): number;
  clock: () => number;
  log: Logger;
  options: GatewayOptions;
  secured: SecuredRoute;
  limiter: RateLimiter;
  /** Password sign-in and its sessions, where the gateway issues its own tokens (users configured, HS256). */
  signIn: { users: UserDirectory; sessions: SessionKeeper } | undefined;
  functionStatus: { read(): Promise<FunctionStatus[]> };
  /** The configuration documents, where this deployment keeps them. */
  config: ConfigDocuments;
  edge: EdgeStatusSource;
  /** Publishes a change together with its audit record: the bus takes both, or the caller hears it failed. */
  publishAudited(events: readonly OutgoingEvent[], fact: AuditFact): Promise<CloudEvent[]>;
  /** Audits a refusal or a failure, best effort: the answer does not wait for the bus. */
  auditLater(fact: AuditFact): void;
  /** PostgreSQL, or a 503 saying history is not available here. */
  requireDb(): Queryable;
}

export function auditing(publisher: EventPublisher, clock: () => number, log: Logger, metrics: GatewayMetrics) {
  const auditLater = (fact: AuditFact) => {
    publisher.publish([auditEvent(fact, clock())]).catch((err: unknown) => {
      metrics.auditFailures.inc();
      log.error({ err, action: fact.action, resource: fact.resource }, 'could not publish an audit event');
    });
  };
  const publishAudited = async (events: readonly OutgoingEvent[], fact: AuditFact): Promise<CloudEvent[]> => {
    try {
      return await publisher.publish([...events, auditEvent(fact, clock())]);
    } catch (error) {
      log.error({ err: error, action: fact.action }, 'the bus did not take a change');
      auditLater({ ...fact, outcome: 'failure', reason: `the bus did not take it: ${(error as Error).message}` });
      throw problem(503, 'the event bus did not take the request, so nothing was changed: try again in a moment');
    }
  };
  return { auditLater, publishAudited };
}
