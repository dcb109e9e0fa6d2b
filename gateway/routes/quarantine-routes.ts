import { OpenAPIHono, z } from '@hono/zod-openapi';
import { Identifier } from '#contracts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { Problem } from '../http/problem.ts';
import { Instant } from '../http/time-range.ts';
import { validationHook } from '../http/validation-hook.ts';
import type { GatewayServices } from '../services.ts';
import { fromHistory } from '../store/history-db.ts';
import {
  ClockSkewedDevice,
  QuarantinedSample,
  type QuarantinePosition,
  queryQuarantinedSamples,
  summarizeClockSkew,
} from '../store/quarantined-samples.ts';

// A cursor is the sort key of a page's last sample, spelled out: every value the pattern allows
// is a position to continue from (there is no cursor the document allows and the handler refuses).
const idPattern = '[A-Za-z0-9][A-Za-z0-9._:-]{0,127}';
const cursorPattern = `^(\\d{1,13})~(${idPattern})~(${idPattern})~(\\d{1,13})$`;
const Cursor = z
  .string()
  .regex(new RegExp(cursorPattern), 'pass back `nextCursor` from the previous page unchanged')
  .transform((text): QuarantinePosition => {
    const [, receivedAt, deviceId, tagId, ts] = new RegExp(cursorPattern).exec(text) as RegExpExecArray;
    return { receivedAt: Number(receivedAt), deviceId: deviceId as string, tagId: tagId as string, ts: Number(ts) };
  })
  .openapi({ type: 'string', pattern: cursorPattern, example: '1767000000000~rtu-n01~tubing_pressure~1769592000000' });
const cursorOf = (p: QuarantinePosition) => `${p.receivedAt}~${p.deviceId}~${p.tagId}~${p.ts}`;

const Quarantine = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    devices: z.array(ClockSkewedDevice).describe('each device with quarantined samples in the range, the latest first'),
    samples: z.array(QuarantinedSample).describe('the quarantined samples, newest arrival first'),
    nextCursor: z.string().nullable().describe('pass as `cursor` for the next (older) page; null on the last page'),
  })
  .openapi('Quarantine');

const defaultSpanMs = 7 * 86_400_000;
const maxDevices = 1000;

/**
 * Samples validate quarantined for a wrong device clock (flag `clock-skew`), and per device how
 * far off its clock is and since when: what an operator needs to go and fix the device, without SQL.
 */
export function quarantineRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });

  app.openapi(
    s.secured('history.read', {
      method: 'get',
      path: '/v1/telemetry/quarantine',
      tags: ['history'],
      summary: 'Samples kept out of history because their device’s clock is wrong, and a summary per device',
      description:
        'Filtered by arrival time (`from` ≤ received < `to`); an empty range (`from` not before `to`) answers no samples. ' +
        'The device summary covers the whole range and filters; the samples come in pages of `limit`.',
      request: {
        query: z.object({
          deviceId: Identifier.optional(),
          wellId: Identifier.optional(),
          from: Instant.optional().describe('arrived at or after; default: 7 days before `to`'),
          to: Instant.optional().describe('arrived before; default: now'),
          limit: z.coerce.number().int().min(1).max(1000).default(100).describe('samples per page'),
          cursor: Cursor.optional().describe('`nextCursor` of the previous page'),
        }),
      },
      responses: {
        200: { description: 'The quarantine', content: { 'application/json': { schema: Quarantine } } },
        404: { description: 'No such device or well in the caller’s tenant', content: { 'application/json': { schema: Problem } } },
        503: { description: 'History is not available right now', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const q = c.req.valid('query');
      if (q.deviceId) s.assets.requireDevice(principal, q.deviceId);
      if (q.wellId) s.assets.requireWell(principal, q.wellId);
      const to = q.to ?? s.clock();
      const from = q.from ?? to - defaultSpanMs;
      if (from >= to) return c.json({ from, to, devices: [], samples: [], nextCursor: null }, 200);
      const db = s.requireDb();
      const filter = { tenantId: principal.tenantId, deviceId: q.deviceId, wellId: q.wellId, from, to };
      const [devices, page] = await fromHistory(
        () =>
          Promise.all([
            summarizeClockSkew(db, { ...filter, maxDevices }),
            queryQuarantinedSamples(db, { ...filter, limit: q.limit, after: q.cursor }),
          ]),
        c.get('log'),
      );
      return c.json({ from, to, devices, samples: page.samples, nextCursor: page.next ? cursorOf(page.next) : null }, 200);
    },
  );
  return app;
}
