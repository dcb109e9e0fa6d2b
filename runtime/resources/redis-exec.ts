import type { ChainableCommander } from 'ioredis';

/**
 * Runs a MULTI (or pipeline) and returns each command's reply. ioredis resolves `exec`
 * with an [error, reply] pair per command, and Redis applies the rest of a MULTI when
 * one command fails at run time (WRONGTYPE): unchecked, a handler would acknowledge an
 * event whose effects are half written. This throws instead, so the event is retried
 * (and dead-lettered with the reason when it keeps failing).
 */
export async function execOrThrow(chain: ChainableCommander, what: string): Promise<unknown[]> {
  const results = await chain.exec();
  // null: a WATCHed key changed and Redis ran nothing.
  if (!results) throw new Error(`${what}: Redis discarded the transaction (a watched key changed); retrying`);
  const failed = results.flatMap(([error], index) => (error ? [`command ${index + 1}: ${error.message}`] : []));
  if (failed.length > 0)
    throw new Error(
      `${what}: ${failed.length} of ${results.length} Redis commands failed (${failed.join('; ')}); the others were applied, so the event is retried to write it whole`,
    );
  return results.map(([, reply]) => reply);
}
