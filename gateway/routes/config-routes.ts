import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ConfigKindParam, configSchemas } from '../config/config-kinds.ts';
import { tenantViewOf } from '../config/tenant-view.ts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { Problem, problem } from '../http/problem.ts';
import { issuesOf, validationHook } from '../http/validation-hook.ts';
import type { GatewayServices } from '../services.ts';

/** The most problems one answer lists: enough for any document a person wrote by hand. */
const maxIssues = 1000;

const Document = z.record(z.string(), z.unknown()).openapi('ConfigDocumentBody', {
  description: 'The whole document, as config/<kind>.ts defines it (the same content as config/examples/<kind>.yaml, in JSON)',
});
const ConfigDocument = z
  .object({
    kind: ConfigKindParam,
    source: z.enum(['files', 'postgres']).describe('where the gateway and the functions read it (FLOWLINE_CONFIG_SOURCE)'),
    scope: z
      .enum(['global', 'tenant'])
      .describe('global: the whole document (admins); tenant: only the part about the caller’s tenant (supervisors)'),
    document: Document,
  })
  .openapi('ConfigDocument');
const ConfigStored = z
  .object({
    kind: ConfigKindParam,
    sha256: z.string().describe('of the document as stored; the audit record carries it too'),
    bytes: z.number().int(),
    appliesWhen: z.string(),
  })
  .openapi('ConfigStored');

const restartNote =
  'Functions (and the gateway) read configuration once, when they start: a stored document applies to each process on its next start. ' +
  'Roll them out to apply it, e.g. `kubectl rollout restart deployment -l app.kubernetes.io/part-of=flowline`; there is no hot reload.';
const globalNote =
  'The documents are global, shared by every tenant (tenant isolation rests on the asset registry itself): only admins may change them, ' +
  'and a change applies to every tenant.';

/**
 * GET and PUT /v1/config/{kind}: the configuration documents of config/load.ts (asset
 * registry, tag and alarm rules, notification channels, well models). Reading is for
 * admins (the whole document) and supervisors (their tenant's part); replacing is for
 * admins, validated by the document's schema, stored in flowline_config and audited on
 * system.audit-log in one transaction.
 */
export function configRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });

  app.openapi(
    s.secured('config.read', {
      method: 'get',
      path: '/v1/config/{kind}',
      tags: ['configuration'],
      summary: 'A configuration document, as the functions read it',
      description: `${globalNote} A supervisor sees only the part that concerns their tenant. ${restartNote}`,
      request: { params: z.object({ kind: ConfigKindParam }) },
      responses: {
        200: { description: 'The document', content: { 'application/json': { schema: ConfigDocument } } },
        404: {
          description: 'No valid document of this kind where configuration is read (the message says why)',
          content: { 'application/json': { schema: Problem } },
        },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { kind } = c.req.valid('param');
      const document = await s.config.read(kind);
      const global = principal.role === 'admin';
      return c.json(
        {
          kind,
          source: s.config.source.kind,
          scope: global ? ('global' as const) : ('tenant' as const),
          document: (global ? document : tenantViewOf(kind, document, principal.tenantId, s.assets)) as Record<string, unknown>,
        },
        200,
      );
    },
  );

  app.openapi(
    s.secured('config.change', {
      method: 'put',
      path: '/v1/config/{kind}',
      tags: ['configuration'],
      summary: 'Replace a configuration document (stored in PostgreSQL, audited)',
      description: `${globalNote} The document is checked by its schema first: a 400 lists the path of every problem. ${restartNote}`,
      request: {
        params: z.object({ kind: ConfigKindParam }),
        body: { content: { 'application/json': { schema: Document } }, required: true },
      },
      responses: {
        200: { description: 'Stored, and audited', content: { 'application/json': { schema: ConfigStored } } },
        409: {
          description: 'This deployment reads configuration from files: change the files, or switch to PostgreSQL',
          content: { 'application/json': { schema: Problem } },
        },
        503: {
          description: 'PostgreSQL or the bus did not take it: nothing changed',
          content: { 'application/json': { schema: Problem } },
        },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { kind } = c.req.valid('param');
      const resource = `config/${kind}`;
      if (s.config.source.kind === 'files') {
        const reason = 'configuration is read from files';
        s.auditLater({ principal, action: 'config.change', resource, outcome: 'refused', reason });
        throw problem(
          409,
          `${reason} (${s.config.source.dir}), so it cannot be changed here: edit ${kind}.yaml there (for the chart, config.files or your ConfigMap), ` +
            'or keep configuration in PostgreSQL with FLOWLINE_CONFIG_SOURCE=postgres (chart: config.source=postgres) and store each document once (npm run flowline -- config push <kind> <file>)',
        );
      }
      const parsed = configSchemas[kind].safeParse(c.req.valid('json'));
      if (!parsed.success) {
        const issues = issuesOf(parsed.error, maxIssues);
        s.auditLater({
          principal,
          action: 'config.change',
          resource,
          outcome: 'refused',
          reason: `${parsed.error.issues.length} problem(s)`,
        });
        throw problem(
          400,
          `"${kind}" is not valid, nothing was stored: ${parsed.error.issues.length} problem(s): ${issues
            .slice(0, 5)
            .map((i) => `${i.path}: ${i.message}`)
            .join('; ')}${issues.length > 5 ? '; …' : ''}`,
          { issues },
        );
      }
      // The document as sent is stored (defaults stay implicit, as in a hand-written file); the schema has accepted it.
      const stored = await s.config.replace(kind, c.req.valid('json'), (version) =>
        s.publishAudited([], {
          principal,
          action: 'config.change',
          resource,
          outcome: 'success',
          details: { kind, sha256: version.sha256, bytes: version.bytes },
        }),
      );
      return c.json({ kind, ...stored, appliesWhen: restartNote }, 200);
    },
  );
  return app;
}
