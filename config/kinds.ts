import type { z } from 'zod';
import { AlarmRules } from './alarm-rules.ts';
import { AssetRegistry } from './asset-registry.ts';
import { Channels } from './channels.ts';
import type { ConfigKind } from './load.ts';
import { ProductionAccounting } from './production-accounting.ts';
import { TagRules } from './tag-rules.ts';
import { WellModels } from './well-models.ts';
import { WellStatusRules } from './well-status-rules.ts';
import { WellTestRules } from './well-test-rules.ts';

/** Each configuration document and the schema that checks it: one list for the loaders, the CLI and the gateway. */
export const configSchemas = {
  assets: AssetRegistry,
  'tag-rules': TagRules,
  'alarm-rules': AlarmRules,
  channels: Channels,
  'well-models': WellModels,
  'well-status-rules': WellStatusRules,
  'production-accounting': ProductionAccounting,
  'well-test-rules': WellTestRules,
} as const satisfies Record<ConfigKind, z.ZodType>;
