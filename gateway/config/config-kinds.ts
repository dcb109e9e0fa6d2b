import { z } from '@hono/zod-openapi';
import { configSchemas } from '../../config/kinds.ts';
import type { ConfigKind } from '../../config/load.ts';

export { configSchemas };

/** A kind in a path: one of the documents above. */
export const ConfigKindParam = z.enum(Object.keys(configSchemas) as [ConfigKind, ...ConfigKind[]]).openapi({
  param: { name: 'kind', in: 'path' },
  description:
    'assets (the asset registry), tag-rules (validate), alarm-rules (alarm), channels (notify), well-models (calc), well-status-rules (well-status), production-accounting (daily-production), well-test-rules (well-test)',
});
