import { OpenAPIHono, z } from '@hono/zod-openapi';
import { type AlarmAction, type AlarmActionKind, type AlarmState, Identifier } from '#contracts';
import type { Permission } from '../auth/permissions.ts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { Problem, problem } from '../http/problem.ts';
import { validationHook } from '../http/validation-hook.ts';
import type { GatewayServices } from '../services.ts';
import { type AlarmView, readAlarm } from '../store/alarm-states.ts';

// At least one character that is not a space, as a pattern the OpenAPI document carries: a
// min length after trimming cannot be stated there, so "  " was schema-valid and refused.
const Comment = z.string().max(1000).regex(/\S/, 'write something: a comment of spaces only says nothing').trim();
const ActionAccepted = z
  .object({
    alarmId: z.string(),
    action: z.string(),
    actionId: z.string().describe('the event id on scada.alarm-actions'),
    stateBefore: z.string().describe('the alarm’s state when the action was sent; the new one arrives on the live stream'),
  })
  .openapi('AlarmActionAccepted');

interface ActionSpec {
  action: AlarmActionKind;
  permission: Permission;
  summary: string;
  body: z.ZodType;
  /** Why the action makes no sense in this state, or undefined when it does. */
  refuse(alarm: AlarmView): string | undefined;
}

const refuseUnless = (states: AlarmState[], what: string) => (alarm: AlarmView) =>
  states.includes(alarm.state) ? undefined : `alarm "${alarm.alarmId}" is ${alarm.state}: ${what}`;

const specs: ActionSpec[] = [
  {
    action: 'acknowledge',
    permission: 'alarms.acknowledge',
    summary: 'Acknowledge an alarm (who and when are recorded; a comment is optional)',
    body: z.object({ comment: Comment.optional() }).strict(),
    refuse: (alarm) => {
      if (alarm.state === 'UNACK_ACTIVE' || alarm.state === 'RTN_UNACK') return undefined;
      return alarm.acknowledgedBy && alarm.state === 'ACK_ACTIVE'
        ? `alarm "${alarm.alarmId}" was already acknowledged by ${alarm.acknowledgedBy} at ${new Date(alarm.acknowledgedAt ?? 0).toISOString()}`
        : `alarm "${alarm.alarmId}" is ${alarm.state}: there is nothing to acknowledge`;
    },
  },
  {
    action: 'shelve',
    permission: 'alarms.shelve',
    summary: 'Shelve an alarm for a while (ISA-18.2): it stays recorded but leaves the active list until the shelf runs out',
    body: z
      .object({
        durationSeconds: z
          .number()
          .int()
          .min(60)
          .max(7 * 24 * 3600)
          .describe('an alarm is never shelved forever'),
        comment: Comment.describe('why: shelving hides an alarm, so it needs a reason'),
      })
      .strict(),
    refuse: (alarm) => (alarm.state === 'SUPPRESSED' ? `alarm "${alarm.alarmId}" is suppressed: unsuppress it before shelving` : undefined),
  },
  {
    action: 'unshelve',
    permission: 'alarms.shelve',
    summary: 'Put a shelved alarm back before its shelf runs out',
    body: z.object({ comment: Comment.optional() }).strict(),
    refuse: refuseUnless(['SHELVED'], 'only shelved alarms can be unshelved'),
  },
  {
    action: 'suppress',
    permission: 'alarms.suppress',
    summary:
      'Suppress an alarm (ISA-18.2 out of service): it leaves the active list and is neither annunciated nor notified until unsuppressed',
    body: z.object({ comment: Comment.describe('why: a suppressed alarm stays hidden with no time limit, so it needs a reason') }).strict(),
    refuse: (alarm) => (alarm.state === 'SUPPRESSED' ? `alarm "${alarm.alarmId}" is already suppressed` : undefined),
  },
  {
    action: 'unsuppress',
    permission: 'alarms.suppress',
    summary: 'Put a suppressed alarm back in service: it returns unacknowledged if its condition still holds, else to normal',
    body: z.object({ comment: Comment.optional() }).strict(),
    refuse: refuseUnless(['SUPPRESSED'], 'only suppressed alarms can be unsuppressed'),
  },
];

/**
 * POST /v1/alarms/{alarmId}/acknowledge|shelve|unshelve|suppress|unsuppress: the gateway checks the role,
 * the tenant and the alarm's state, then publishes the action (scada.alarm-actions)
 * with its audit record. The alarm function, the one writer of alarm state, applies it
 * and announces the transition, which reaches the operators' screens live.
 */
export function alarmActionRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });
  for (const spec of specs) {
    app.openapi(
      s.secured(spec.permission, {
        method: 'post',
        path: `/v1/alarms/{alarmId}/${spec.action}`,
        tags: ['alarms'],
        summary: spec.summary,
        request: {
          params: z.object({ alarmId: Identifier }),
          body: {
            content: { 'application/json': { schema: spec.body } },
            required: spec.action === 'shelve' || spec.action === 'suppress',
          },
        },
        responses: {
          202: { description: 'Sent to the alarm function', content: { 'application/json': { schema: ActionAccepted } } },
          404: { description: 'No such alarm in the caller’s tenant', content: { 'application/json': { schema: Problem } } },
          409: { description: 'The action makes no sense in the alarm’s state', content: { 'application/json': { schema: Problem } } },
          503: { description: 'The bus did not take it: nothing changed', content: { 'application/json': { schema: Problem } } },
        },
      }),
      async (c) => {
        const principal = c.get('principal');
        const { alarmId } = c.req.valid('param');
        const body = c.req.valid('json') as { comment?: string; durationSeconds?: number };
        const alarm = await readAlarm(s.redis, alarmId);
        if (!alarm || alarm.tenantId !== principal.tenantId) throw problem(404, `no alarm "${alarmId}" in your tenant`);
        const refusal = spec.refuse(alarm);
        if (refusal) throw problem(409, refusal);
        const data: AlarmAction = {
          timestamp: s.clock(),
          alarmId,
          tenantId: principal.tenantId,
          action: spec.action,
          actor: principal.id,
          ...(body.comment ? { comment: body.comment } : {}),
          ...(alarm.raisedAt !== undefined ? { raisedAt: alarm.raisedAt } : {}),
          ...(body.durationSeconds ? { durationSeconds: body.durationSeconds } : {}),
        };
        const [event] = await s.publishAudited([{ topic: 'scada.alarm-actions', key: alarm.deviceId, data }], {
          principal,
          action: `alarm.${spec.action}`,
          resource: `alarm/${alarmId}`,
          outcome: 'success',
          reason: body.comment,
          details: {
            stateBefore: alarm.state,
            severity: alarm.severity,
            ...(body.durationSeconds ? { durationSeconds: body.durationSeconds } : {}),
          },
        });
        return c.json({ alarmId, action: spec.action, actionId: event?.id ?? '', stateBefore: alarm.state }, 202);
      },
    );
  }
  return app;
}
