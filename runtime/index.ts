export type { Context, PublishOptions, TickContext } from './context.ts';
export {
  type BatchHandler,
  defineBatchFunction,
  defineFunction,
  type EachHandler,
  type EventOf,
  type FunctionDefinition,
  type TopicSchemas,
} from './define-function.ts';
export { type CloudEvent, createEvent, type FlowlineEvent } from './envelope.ts';
export { isPermanentError, isRetryableError, PermanentError, RetryableError } from './errors/index.ts';
export { type FunctionManifest, FunctionManifest as FunctionManifestSchema } from './manifest.ts';
export type { Db, Queryable } from './resources/db.ts';
export { execOrThrow } from './resources/redis-exec.ts';
export { readStoredJson, type StoredJson } from './resources/redis-json.ts';
export { withRedisLocks } from './resources/redis-locks.ts';
export type { StateStore } from './resources/state-store.ts';
export { deadLetterTopicOf } from './topics.ts';
