import { z } from '@hono/zod-openapi';
import { AlarmRules } from '../../config/alarm-rules.ts';
import { AssetRegistry } from '../../config/asset-registry.ts';
import { Channels } from '../../config/channels.ts';
import type { ConfigKind } from '../../config/load.ts';
import { TagRules } from '../../config/tag-rules.ts';
import { WellModels } from '../../config/well-models.ts';

/** Each configuration document of config/load.ts and the schema (config/*.ts) that checks it. */
export const configSchemas = {
  assets: AssetRegistry,
  'tag-rules': TagRules,
  'alarm-rules': AlarmRules,
  channels: Channels,
  'well-models': WellModels,
} as const satisfies Record<ConfigKind, z.ZodType>;

/** A kind in a path: one of the documents above. */
export const ConfigKindParam = z.enum(Object.keys(configSchemas) as [ConfigKind, ...ConfigKind[]]).openapi({
  param: { name: 'kind', in: 'path' },
  description: 'assets (the asset registry), tag-rules (validate), alarm-rules (alarm), channels (notify), well-models (calc)',
});
