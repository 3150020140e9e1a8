import { describe, expect, it } from '@jest/globals';
import { parseDuration } from './durations.ts';

describe('parseDuration', () => {
  it.each([
    ['90s', 90], ['30m', 1800], ['1h', 3600], ['1h30m', 5400], ['7d', 604_800], ['2w', 1_209_600], [' 1h ', 3600],
  ])('reads %s as %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '5', '1 h', '1y', 'h', '-1h', '0s', '1.5h', '1h-30m', '99999999999999999999d'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});
