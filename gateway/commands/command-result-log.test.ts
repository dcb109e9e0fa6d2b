import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandResult } from '#contracts';
import { type ScratchRedis, startScratchRedis } from '../testing/scratch-redis.ts';
import { readCommandResults, recordCommandResult } from './command-result-log.ts';

/** The command-result MULTI on a real Redis, where one command can fail while the others are applied. */
let scratch: ScratchRedis;
beforeAll(async () => {
  scratch = await startScratchRedis();
}, 30_000);
afterAll(async () => scratch?.stop());

const result = (commandId: string): CommandResult =>
  CommandResult.parse({
    commandId,
    timestamp: 1_767_000_000_000,
    siteId: 'north-pad',
    deviceId: 'rtu-n01',
    status: 'applied',
    code: 'applied',
    reason: 'written to the device',
  });

describe('recordCommandResult', () => {
  it('files a result', async () => {
    await recordCommandResult(scratch.redis, 'acme', result('c-1'));
    expect((await readCommandResults(scratch.redis, 'acme', 10)).map((r) => r.commandId)).toEqual(['c-1']);
  });

  it('rejects, saying which write failed and that the announcement went out, when its ZADD fails (WRONGTYPE)', async () => {
    await scratch.redis.set('commands:results:clobbered', 'in the way');
    const heard: string[] = [];
    const listener = scratch.redis.duplicate();
    await listener.subscribe('live:system:clobbered');
    listener.on('message', (_channel, message: string) => heard.push(message));

    await expect(recordCommandResult(scratch.redis, 'clobbered', result('c-2'))).rejects.toThrow(
      /recording the result of command c-2 for clobbered: 2 of 4 Redis commands failed \(command 1: WRONGTYPE.*; command 2: WRONGTYPE/,
    );
    // Why it must reject (so the intake redelivers): Redis applied the rest of the MULTI.
    await expect.poll(() => heard.length).toBe(1);
    listener.disconnect();
  });
});
