export { daysBehind, libyear, majorsBehind, minorsBehind } from './behind-by.ts';
export type { DaysBehind } from './behind-by.ts';
export { compareDeployed } from './compare-deployed.ts';
export type { DeployedComparison } from './compare-deployed.ts';
export { ALL_RULE_TYPES, evaluateCatalogRule, evaluateRule, isViolation, RULE_TYPES } from './evaluate-rule.ts';
export type {
  AnyRuleType,
  CatalogRuleEvaluationInput,
  OkEvaluation,
  RuleDefinition,
  RuleEvaluation,
  RuleEvaluationInput,
  RuleType,
  UnknownEvaluation,
} from './evaluate-rule.ts';
export type { CountedFrom, EvaluationExplanation, ExplainedRelease } from './explanation.ts';
export { compareSeverity, SEVERITIES, severityFor } from './severity.ts';
export { previewVersions } from './version-preview.ts';
export type { Severity, SeverityThresholds } from './severity.ts';
export { resolveDeployedImage } from './deployed-image.ts';
export type { DeployedSnapshot, DigestedRelease, ResolvedDeployment } from './deployed-image.ts';
export { daysUntil, endOfLife, eolSeverity, matchCycle } from './end-of-life.ts';
export type { EndOfLife, EolCycle } from './end-of-life.ts';
