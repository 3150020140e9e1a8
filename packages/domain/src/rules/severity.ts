/** How bad a rule violation is, from least to most severe. */
export const SEVERITIES = ['moderate', 'high', 'critical'] as const;

export type Severity = (typeof SEVERITIES)[number];

/** A rule's thresholds; the API keeps them ordered moderate <= high <= critical. */
export type SeverityThresholds = {
  moderate: number;
  high: number;
  critical: number;
};

/**
 * The highest severity whose threshold the value reaches (value >= threshold), or null when the
 * value is below every threshold, which means no violation. Checked from critical down, so
 * thresholds that are out of order still give the most severe one reached.
 */
export function severityFor(value: number, thresholds: SeverityThresholds): Severity | null {
  for (const severity of [...SEVERITIES].reverse()) {
    if (value >= thresholds[severity]) return severity;
  }
  return null;
}

/**
 * Orders severities from least to most severe; no severity (null) ranks below moderate.
 * Negative when `a` is less severe than `b`.
 */
export function compareSeverity(a: Severity | null, b: Severity | null): number {
  return severityRank(a) - severityRank(b);
}

function severityRank(severity: Severity | null): number {
  return severity === null ? -1 : SEVERITIES.indexOf(severity);
}
