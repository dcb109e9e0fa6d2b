import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ProblemLog } from './problem-log.ts';

describe('ProblemLog', () => {
  it('says each kind of problem at once, then at most once an interval with how many went unsaid', () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const problems = new ProblemLog(log, 60_000);
    problems.report('malformed', {}, 'first', 0);
    for (let t = 1; t <= 5; t++) problems.report('malformed', {}, 'again', t * 1000);
    problems.report('unknown-tag', {}, 'other kind', 6000);
    problems.report('malformed', {}, 'a minute later', 61_000);
    expect(lines.map((l) => [l.msg, l.alsoSinceLastLog])).toEqual([
      ['first', undefined],
      ['other kind', undefined],
      ['a minute later', 5],
    ]);
  });
});
