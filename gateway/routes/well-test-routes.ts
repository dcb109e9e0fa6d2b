import { randomUUID } from 'node:crypto';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { Identifier, WellTestCreated, WellTestMethod, WellTestStatus } from '#contracts';
import { queryWellTest, queryWellTests } from '../../functions/well-test/test-store.ts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { invalidBecause, Problem, problem } from '../http/problem.ts';
import { validationHook } from '../http/validation-hook.ts';
import type { GatewayServices } from '../services.ts';
import { fromHistory } from '../store/history-db.ts';

const WellTestRequest = z
  .object({
    deviceId: Identifier.describe('the separator or meter the well flows through: a device of the well or of its field'),
    method: WellTestMethod.default('test-separator'),
    plannedMinutes: z.number().int().min(1).max(10_080).default(120).describe('the test is not judged steady before this'),
    maxMinutes: z
      .number()
      .int()
      .min(1)
      .max(20_160)
      .optional()
      .describe('a test not steady by then ends inconclusive; default: three times plannedMinutes'),
    reservoirPressurePsia: z.number().finite().positive().describe('average reservoir pressure, from the last build-up'),
    bubblePointPressurePsia: z.number().finite().nonnegative().describe('from PVT'),
    notes: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .openapi('WellTestRequest');
const WellTestAccepted = z.object({ testId: z.string(), createdAt: z.number().int() }).openapi('WellTestAccepted');
// The contract's own schema (plain zod): the document inlines it, as it does the other contract types.
const WellTestAnswer = WellTestStatus;
const WellTestsAnswer = z.object({ wellId: z.string(), tests: z.array(WellTestAnswer).describe('newest first') }).openapi('WellTests');

const unavailable = {
  503: { description: 'Well tests are not available right now', content: { 'application/json': { schema: Problem } } },
};
const noWell = { 404: { description: 'No such well in the caller’s tenant', content: { 'application/json': { schema: Problem } } } };

/**
 * Well tests: POST starts one (well-testing.test-created, audited; the well-test function
 * follows it), GET lists a well's tests and reads one's state, with why it still waits
 * (the function's tables, through its store). Live changes reach the well's room as
 * `well-test:update`.
 */
export function wellTestRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });

  app.openapi(
    s.secured('well-tests.start', {
      method: 'post',
      path: '/v1/wells/{wellId}/tests',
      tags: ['well-tests'],
      summary: 'Start a well test: its readings are gathered until they are steady, then it completes and its IPR is computed',
      request: {
        params: z.object({ wellId: Identifier }),
        body: { content: { 'application/json': { schema: WellTestRequest } }, required: true },
      },
      responses: {
        202: { description: 'Started: the well-test function follows it', content: { 'application/json': { schema: WellTestAccepted } } },
        ...invalidBecause('the device is not the well’s nor its field’s, or maxMinutes is below plannedMinutes'),
        ...noWell,
        503: { description: 'The bus did not take it: no test was started', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { wellId } = c.req.valid('param');
      const request = c.req.valid('json');
      const well = s.assets.requireWell(principal, wellId);
      const device = s.assets.requireDevice(principal, request.deviceId);
      if (device.wellId !== wellId && device.fieldId !== well.fieldId)
        throw problem(
          400,
          `device ${request.deviceId} is neither on well ${wellId} nor on its field ${well.fieldId}: route the test through a separator or meter of that field`,
        );
      const createdAt = s.clock();
      const test = WellTestCreated.safeParse({
        testId: randomUUID(),
        wellId,
        tenantId: principal.tenantId,
        fieldId: well.fieldId,
        deviceId: request.deviceId,
        method: request.method,
        createdAt,
        plannedMinutes: request.plannedMinutes,
        maxMinutes: request.maxMinutes ?? Math.min(20_160, request.plannedMinutes * 3),
        reservoirPressurePsia: request.reservoirPressurePsia,
        bubblePointPressurePsia: request.bubblePointPressurePsia,
        createdBy: principal.id,
        ...(request.notes ? { notes: request.notes } : {}),
      });
      if (!test.success)
        throw problem(400, `invalid body: ${test.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      await s.publishAudited([{ topic: 'well-testing.test-created', key: wellId, data: test.data, id: test.data.testId }], {
        principal,
        action: 'well-test.start',
        resource: `${wellId}/${test.data.testId}`,
        outcome: 'success',
        correlationId: test.data.testId,
        details: { deviceId: test.data.deviceId, plannedMinutes: test.data.plannedMinutes, maxMinutes: test.data.maxMinutes },
      });
      return c.json({ testId: test.data.testId, createdAt }, 202);
    },
  );

  app.openapi(
    s.secured('history.read', {
      method: 'get',
      path: '/v1/wells/{wellId}/tests',
      tags: ['well-tests'],
      summary: 'A well’s tests, newest first: each one’s state, elapsed minutes, averages and why it waits',
      request: {
        params: z.object({ wellId: Identifier }),
        query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }),
      },
      responses: {
        200: { description: 'The tests', content: { 'application/json': { schema: WellTestsAnswer } } },
        ...noWell,
        ...unavailable,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { wellId } = c.req.valid('param');
      const { limit } = c.req.valid('query');
      s.assets.requireWell(principal, wellId);
      const db = s.requireDb();
      const tests = await fromHistory(() => queryWellTests(db, { tenantId: principal.tenantId, wellId, limit }), c.get('log'));
      return c.json({ wellId, tests }, 200);
    },
  );

  app.openapi(
    s.secured('history.read', {
      method: 'get',
      path: '/v1/wells/{wellId}/tests/{testId}',
      tags: ['well-tests'],
      summary: 'One test as it stands',
      request: { params: z.object({ wellId: Identifier, testId: Identifier }) },
      responses: {
        200: { description: 'The test', content: { 'application/json': { schema: WellTestAnswer } } },
        404: { description: 'No such well or test in the caller’s tenant', content: { 'application/json': { schema: Problem } } },
        ...unavailable,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { wellId, testId } = c.req.valid('param');
      s.assets.requireWell(principal, wellId);
      const db = s.requireDb();
      const test = await fromHistory(() => queryWellTest(db, { tenantId: principal.tenantId, testId }), c.get('log'));
      // A test started a moment ago is on its way to the function: not found until it has stored it.
      if (!test || test.wellId !== wellId)
        throw problem(404, `no test ${testId} on well ${wellId} (a test just started shows once the well-test function has stored it)`);
      return c.json(test, 200);
    },
  );
  return app;
}
