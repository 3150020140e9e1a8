/** The rule types (as in the api's RuleCreate). */
export type RuleType = 'days_behind' | 'majors_behind' | 'minors_behind' | 'libyear' | 'eol';

/**
 * The checks the api makes too: moderate <= high <= critical, whole numbers from 1; libyear in
 * years above 0 (fractions allowed); eol in days left, so downwards: moderate >= high >= critical >= 0.
 */
export function thresholdErrors(type: RuleType, values: { moderate: number; high: number; critical: number }): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const name of ['moderate', 'high', 'critical'] as const) {
    const value = values[name];
    if (type === 'libyear') { if (!Number.isFinite(value) || value <= 0) errors[name] = 'must be above 0 (years)'; }
    else if (!Number.isInteger(value) || value < (type === 'eol' ? 0 : 1)) errors[name] = type === 'eol' ? 'must be a whole number of days, 0 or more' : 'must be a whole number, 1 or more';
  }
  if (type === 'eol') {
    if (!errors.moderate && !errors.high && values.high > values.moderate) errors.high = 'must be at most moderate (an eol rule counts days left)';
    if (!errors.high && !errors.critical && values.critical > values.high) errors.critical = 'must be at most high (an eol rule counts days left)';
    return errors;
  }
  if (!errors.moderate && !errors.high && values.moderate > values.high) errors.high = 'must be at least moderate';
  if (!errors.high && !errors.critical && values.high > values.critical) errors.critical = 'must be at least high';
  return errors;
}
