import { describe, expect, it } from '@jest/globals';
import type { RuleType } from '@planekeeper/db';
import { behindByText, standingText } from './notification-content.ts';

describe('behindByText: where a deployment stands, in its rule\'s words (Slack, Discord, Teams and webhook summaries)', () => {
  it.each<[RuleType, number, string]>([
    ['days_behind', 1, '1 day behind'],
    ['majors_behind', 2, '2 major versions behind'],
    ['minors_behind', 6, '6 minor versions behind'],
    ['libyear', 1.5, '1.5 libyears behind'],
    ['libyear', 1, '1 libyear behind'],
    ['eol', 30, '30 days left before end of life'],
    ['eol', 0, 'at end of life today'],
    ['eol', -1, 'past end of life by 1 day'],
    ['eol', -12, 'past end of life by 12 days'],
  ])('%s %d: %s', (ruleType, behindBy, text) => {
    expect(standingText(ruleType, behindBy)).toBe(text);
  });
});

it('the "Behind by" field gives the amount alone for version-lag rules', () => {
  expect(behindByText('minors_behind', 6)).toBe('6 minor versions');
  expect(behindByText('libyear', 2.5)).toBe('2.5 libyears');
});
