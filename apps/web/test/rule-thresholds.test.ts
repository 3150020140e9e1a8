import { describe, expect, it } from '@jest/globals';
import { thresholdErrors } from '../src/api/rule-thresholds.ts';

describe('the rule form checks thresholds as the api does', () => {
  it('counts upwards in whole numbers from 1 for the version and day rules', () => {
    expect(thresholdErrors('majors_behind', { moderate: 1, high: 2, critical: 3 })).toEqual({});
    expect(thresholdErrors('majors_behind', { moderate: 5, high: 2, critical: 3 })).toEqual({ high: 'must be at least moderate' });
    expect(thresholdErrors('days_behind', { moderate: 0, high: 2.5, critical: 3 })).toEqual({ moderate: 'must be a whole number, 1 or more', high: 'must be a whole number, 1 or more' });
  });

  it('takes fractions of a year above 0 for libyear', () => {
    expect(thresholdErrors('libyear', { moderate: 0.5, high: 1, critical: 2.5 })).toEqual({});
    expect(thresholdErrors('libyear', { moderate: 0, high: 1, critical: 1.5 })).toEqual({ moderate: 'must be above 0 (years)' });
    expect(thresholdErrors('libyear', { moderate: 0.5, high: 1, critical: 0.75 })).toEqual({ critical: 'must be at least high' });
  });

  it('counts days left downwards for eol, 0 allowed', () => {
    expect(thresholdErrors('eol', { moderate: 90, high: 30, critical: 0 })).toEqual({});
    expect(thresholdErrors('eol', { moderate: 30, high: 90, critical: 0 })).toEqual({ high: 'must be at most moderate (an eol rule counts days left)' });
    expect(thresholdErrors('eol', { moderate: 90, high: 30, critical: -1 })).toEqual({ critical: 'must be a whole number of days, 0 or more' });
  });
});
