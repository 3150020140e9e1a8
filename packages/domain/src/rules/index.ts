export { daysBehind, majorsBehind, minorsBehind } from './behind-by.ts';
export type { DaysBehind } from './behind-by.ts';
export { compareDeployed } from './compare-deployed.ts';
export type { DeployedComparison } from './compare-deployed.ts';
export { evaluateCatalogRule, evaluateRule, isViolation, RULE_TYPES } from './evaluate-rule.ts';
export type {
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
