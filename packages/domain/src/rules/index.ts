export { daysBehind, majorsBehind, minorsBehind } from './behind-by.ts';
export type { DateSource, DaysBehind } from './behind-by.ts';
export { evaluateRule, isViolation, RULE_TYPES } from './evaluate-rule.ts';
export type {
  OkEvaluation,
  RuleDefinition,
  RuleEvaluation,
  RuleEvaluationInput,
  RuleType,
  UnknownEvaluation,
} from './evaluate-rule.ts';
export { compareSeverity, SEVERITIES, severityFor } from './severity.ts';
export type { Severity, SeverityThresholds } from './severity.ts';
export { resolveDeployedImage } from './deployed-image.ts';
export type { DeployedSnapshot, DigestedRelease, ResolvedDeployment } from './deployed-image.ts';
