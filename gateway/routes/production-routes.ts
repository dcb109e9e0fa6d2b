import { OpenAPIHono, z } from '@hono/zod-openapi';
import { DailyProduction, Identifier, PhaseAllocation, WellDay } from '#contracts';
import { queryDailyReports, queryFieldDays, queryReportVersions } from '../../functions/daily-production/production-store.ts';
import { CalendarDate, isCalendarDate } from '../http/calendar-date.ts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { invalidBecause, Problem, problem } from '../http/problem.ts';
import { maxRangeDays } from '../http/time-range.ts';
import { validationHook } from '../http/validation-hook.ts';
import type { GatewayServices } from '../services.ts';
import { fromHistory } from '../store/history-db.ts';

// The contract's own schema (plain zod): the document inlines it, as it does the other contract types.
const Report = DailyProduction;

const DailyAnswer = z
  .object({
    date: z.string(),
    reports: z.array(Report).describe('the latest version of each field’s report for the production day; a field without one is absent'),
  })
  .openapi('DailyProductionDay');

const VersionsAnswer = z
  .object({
    fieldId: z.string(),
    date: z.string(),
    versions: z.array(Report).describe('every version, oldest first: the last is the report'),
  })
  .openapi('DailyProductionVersions');

const WellDaysAnswer = z
  .object({
    wellId: z.string(),
    fieldId: z.string(),
    from: z.string(),
    to: z.string(),
    days: z
      .array(
        z.object({
          day: z.string(),
          version: z.number().int(),
          start: z.number().int(),
          end: z.number().int(),
          hours: z.number(),
          well: WellDay,
          allocation: z.object({ oil: PhaseAllocation.optional(), gas: PhaseAllocation.optional(), water: PhaseAllocation.optional() }),
        }),
      )
      .describe('the well’s share of each reported day (the latest version), oldest first'),
  })
  .openapi('WellDailyProduction');

const dayMs = 86_400_000;
const notADate = invalidBecause(
  `a date is not in the calendar (2026-02-30), \`from\` comes after \`to\`, or the range spans more than ${maxRangeDays} days`,
);
const unavailable = {
  503: { description: 'Production reports are not available right now', content: { 'application/json': { schema: Problem } } },
};
const requireDate = (date: string, name: string) => {
  if (!isCalendarDate(date)) throw problem(400, `invalid query: ${name} ${date} is not a day of the calendar`);
};

/** Daily production reports (the daily-production function's tables, through its store): per day, per field's versions, per well. */
export function productionRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });

  app.openapi(
    s.secured('history.read', {
      method: 'get',
      path: '/v1/production/daily',
      tags: ['production'],
      summary: 'The production day’s reports of the caller’s fields (the latest version of each)',
      request: {
        query: z.object({
          date: CalendarDate.describe('the production day, named by the local date it starts on'),
          fieldId: Identifier.optional().describe('only this field'),
        }),
      },
      responses: {
        200: { description: 'The reports', content: { 'application/json': { schema: DailyAnswer } } },
        ...notADate,
        404: { description: 'No such field in the caller’s tenant', content: { 'application/json': { schema: Problem } } },
        ...unavailable,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { date, fieldId } = c.req.valid('query');
      requireDate(date, 'date');
      if (fieldId) s.assets.requireField(principal, fieldId);
      const db = s.requireDb();
      const reports = await fromHistory(() => queryDailyReports(db, { tenantId: principal.tenantId, day: date, fieldId }), c.get('log'));
      return c.json({ date, reports }, 200);
    },
  );

  app.openapi(
    s.secured('history.read', {
      method: 'get',
      path: '/v1/fields/{fieldId}/production/daily/{date}/versions',
      tags: ['production'],
      summary: 'Every version of a field’s production day: the first report and each revision, with what changed',
      request: { params: z.object({ fieldId: Identifier, date: CalendarDate }) },
      responses: {
        200: { description: 'The versions', content: { 'application/json': { schema: VersionsAnswer } } },
        ...notADate,
        404: { description: 'No such field in the caller’s tenant', content: { 'application/json': { schema: Problem } } },
        ...unavailable,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { fieldId, date } = c.req.valid('param');
      requireDate(date, 'date');
      s.assets.requireField(principal, fieldId);
      const db = s.requireDb();
      const versions = await fromHistory(() => queryReportVersions(db, { tenantId: principal.tenantId, fieldId, day: date }), c.get('log'));
      return c.json({ fieldId, date, versions }, 200);
    },
  );

  app.openapi(
    s.secured('history.read', {
      method: 'get',
      path: '/v1/wells/{wellId}/production/daily',
      tags: ['production'],
      summary: 'A well’s daily production: its hours, volumes, theoretical and allocated volumes per reported day',
      request: {
        params: z.object({ wellId: Identifier }),
        query: z.object({
          from: CalendarDate.optional().describe('default: 30 days before `to`'),
          to: CalendarDate.optional().describe('default: today (UTC)'),
        }),
      },
      responses: {
        200: { description: 'The days', content: { 'application/json': { schema: WellDaysAnswer } } },
        ...notADate,
        404: { description: 'No such well in the caller’s tenant', content: { 'application/json': { schema: Problem } } },
        ...unavailable,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { wellId } = c.req.valid('param');
      const q = c.req.valid('query');
      const well = s.assets.requireWell(principal, wellId);
      const to = q.to ?? new Date(s.clock()).toISOString().slice(0, 10);
      requireDate(to, 'to');
      const from = q.from ?? new Date(Date.parse(to) - 30 * dayMs).toISOString().slice(0, 10);
      requireDate(from, 'from');
      if (from > to) throw problem(400, `invalid query: from (${from}) comes after to (${to})`);
      if (Date.parse(to) - Date.parse(from) > maxRangeDays * dayMs)
        throw problem(400, `invalid query: the range spans more than ${maxRangeDays} days: ask for less`);
      const db = s.requireDb();
      const reports = await fromHistory(
        () => queryFieldDays(db, { tenantId: principal.tenantId, fieldId: well.fieldId, fromDay: from, toDay: to }),
        c.get('log'),
      );
      const days = reports.flatMap((r) => {
        const mine = r.wells.find((w) => w.wellId === wellId);
        return mine
          ? [{ day: r.day, version: r.version, start: r.start, end: r.end, hours: r.hours, well: mine, allocation: r.allocation }]
          : [];
      });
      return c.json({ wellId, fieldId: well.fieldId, from, to, days }, 200);
    },
  );
  return app;
}
