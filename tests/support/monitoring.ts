import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { ROOT } from './app-process.ts';

/** infra/monitoring: the alert rules, their promtool unit tests and the Grafana dashboard. */
export const MONITORING = path.join(ROOT, 'infra', 'monitoring');
export const ALERT_RULES = path.join(MONITORING, 'alerts.yml');
export const RULE_TESTS = path.join(MONITORING, 'tests.yml');
export const DASHBOARD = path.join(MONITORING, 'dashboard.json');

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string; expr: string }> }>;
}

interface Dashboard {
  panels: Array<{ title: string; type: string; targets: Array<{ expr: string }> }>;
}

/** Every alert rule: its name and PromQL. */
export function alertRules(): Array<{ alert: string; expr: string }> {
  const file = loadYaml(readFileSync(ALERT_RULES, 'utf8')) as RuleFile;
  return file.groups.flatMap((group) => group.rules.map((rule) => ({ alert: rule.alert ?? rule.record ?? '', expr: rule.expr })));
}

/** The dashboard's panels. */
export function dashboardPanels(): Dashboard['panels'] {
  return (JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard).panels;
}

/** The Planekeeper metric names a PromQL expression reads (`planekeeper_...`). */
export function metricNamesIn(expr: string): string[] {
  return [...new Set(expr.match(/\bplanekeeper_[a-zA-Z0-9_]+\b/g) ?? [])];
}

/** Every metric the alert rules and the dashboard read, each with where it is read. */
export function metricsReadByMonitoring(): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  const add = (expr: string, where: string) => {
    for (const name of metricNamesIn(expr)) uses.set(name, [...(uses.get(name) ?? []), where]);
  };
  for (const rule of alertRules()) add(rule.expr, `alert ${rule.alert}`);
  for (const panel of dashboardPanels()) for (const target of panel.targets) add(target.expr, `panel ${panel.title}`);
  return uses;
}

/**
 * The metric names a Prometheus text exposition declares (`# TYPE name type`), with the series
 * names of its histograms and summaries (`_bucket`, `_sum`, `_count`): a metric with no sample yet
 * (an agent gauge before any agent beat) still exists.
 */
export function exportedMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}
