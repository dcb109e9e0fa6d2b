import { describe, expect, it } from 'vitest';
import { topicFilterProblem, topicMatches } from './topic-filter.ts';

describe('topic filters', () => {
  it.each([
    ['pad7/w02/pressure', 'pad7/w02/pressure', true],
    ['pad7/+/pressure', 'pad7/w02/pressure', true],
    ['pad7/+/pressure', 'pad7/w02/temperature', false],
    ['pad7/+', 'pad7/w02/pressure', false],
    ['pad7/#', 'pad7/w02/pressure', true],
    ['pad7/#', 'pad7', true], // # also matches its parent level
    ['pad7/w02/#', 'pad7/w03/pressure', false],
    ['#', '$SYS/broker/uptime', false],
    ['+/broker/uptime', '$SYS/broker/uptime', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
    ['pad7/+/+', 'pad7//x', true], // an empty level is a level
  ])('%s against %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it('says what is wrong with a filter', () => {
    expect(topicFilterProblem('pad7/+/pressure')).toBeUndefined();
    expect(topicFilterProblem('pad7/#')).toBeUndefined();
    expect(topicFilterProblem('pad7/#/x')).toMatch(/last one/);
    expect(topicFilterProblem('pad7/w#')).toMatch(/level of its own/);
    expect(topicFilterProblem('pad7/w+')).toMatch(/\+ must be a level of its own/);
    expect(topicFilterProblem('')).toMatch(/empty/);
  });
});
