import { z } from 'zod';
import { cronProblem, CRON_MAX_LENGTH } from '../schedule/next-run.ts';
import { unlessMissing } from './common.ts';
import { compileUserRegex, USER_REGEX_MAX_LENGTH } from '../regex/index.ts';
import { urlCredentialsProblem } from './url-credentials.ts';

/** Longest regular expression accepted (tag filters, chart filters, regex scrape expressions). */
export const REGEX_MAX_LENGTH = USER_REGEX_MAX_LENGTH;
/** Longest URL accepted. */
export const URL_MAX_LENGTH = 2048;

/**
 * Why `source` is not a pattern the linear-time engine runs (RE2 syntax, see
 * `compileUserRegex`), or null. Phrased to follow the field's name.
 */
export function regexProblem(source: string, options: { requireCaptureGroup?: boolean } = {}): string | null {
  const compiled = compileUserRegex(source, { maxLength: REGEX_MAX_LENGTH });
  if (!compiled.ok) return compiled.error;
  if (options.requireCaptureGroup === true && compiled.regex.captureGroups < 1) {
    return 'needs a capture group: the first group is the version, e.g. version:\\s*([\\d.]+)';
  }
  return null;
}

/**
 * A regular expression in RE2 syntax (source only, no flags; inline `(?i)` works) that the
 * linear-time engine compiles, at most 500 characters. `field` names the field in messages.
 */
export function regexSchema(field: string, options: { requireCaptureGroup?: boolean } = {}) {
  return z
    .string()
    .min(1, `${field} must not be empty`)
    .max(REGEX_MAX_LENGTH, `${field} must be at most ${REGEX_MAX_LENGTH} characters`)
    .superRefine((source, ctx) => {
      // zod's max() above has said it already.
      if (source.length > REGEX_MAX_LENGTH) return;
      const problem = regexProblem(source, options);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `${field} ${problem}` });
    })
    .describe('Regular expression in RE2 syntax (no lookaround or backreferences), no flags; inline (?i) works');
}

/**
 * A cron expression (5 fields, or 6 with leading seconds; UTC), trimmed. `field` names the field
 * in messages, e.g. `schedule must have 5 fields ...`.
 */
export function cronSchema(field: string) {
  return z
    .string({ error: unlessMissing(`${field} must be a cron expression string`) })
    .trim()
    .max(CRON_MAX_LENGTH, `${field} must be at most ${CRON_MAX_LENGTH} characters`)
    .superRefine((expr, ctx) => {
      const problem = cronProblem(expr);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `${field} ${problem}` });
    })
    .describe('Cron expression in UTC: 5 fields, or 6 with leading seconds, e.g. "0 */6 * * *"');
}

/** An absolute http or https URL, without credentials in it (see urlCredentialsProblem). */
export function httpUrlSchema(field: string, options: { credentialsHint?: string } = {}) {
  return z
    .url({ protocol: /^https?$/, message: `${field} must be an http or https URL` })
    .max(URL_MAX_LENGTH, `${field} must be at most ${URL_MAX_LENGTH} characters`)
    .superRefine((url, ctx) => {
      const problem = urlCredentialsProblem(url);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `${field} ${options.credentialsHint ?? problem}` });
    });
}

// scp-like git address: user@host:path (the form GitHub shows for ssh clones).
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)[A-Za-z0-9._~\/-]+$/;

/** Why `url` is not a git remote an agent may clone, or null. */
export function gitUrlProblem(url: string): string | null {
  if (url.startsWith('-')) return 'must not start with "-"';
  if (SCP_LIKE.test(url)) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an https://, http://, ssh:// URL or user@host:path';
  }
  // file:// would read the agent's own disk; ext:: and friends run commands.
  if (!['https:', 'http:', 'ssh:'].includes(parsed.protocol)) return 'must use https, http or ssh';
  if (parsed.hostname === '') return 'must name a host';
  return urlCredentialsProblem(url);
}

/** A git remote: https/http/ssh URL or scp-like `git@host:org/repo.git`. */
export function gitUrlSchema(field: string) {
  return z
    .string()
    .trim()
    .min(1, `${field} must not be empty`)
    .max(URL_MAX_LENGTH, `${field} must be at most ${URL_MAX_LENGTH} characters`)
    .superRefine((url, ctx) => {
      const problem = gitUrlProblem(url);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `${field} ${problem}` });
    })
    .describe('Git remote: https://, http://, ssh:// or user@host:path');
}

/** Why `path` is not a safe path inside a repository, or null. */
export function repoFilePathProblem(path: string): string | null {
  if (path.startsWith('/')) return 'must be relative to the repository root (no leading /)';
  if (path.includes('\\')) return 'must use / as separator';
  if (path.includes('\0')) return 'must not contain NUL';
  if (/^[A-Za-z]:/.test(path)) return 'must be relative to the repository root';
  if (path.split('/').includes('..')) return 'must not contain .. segments';
  if (path.endsWith('/')) return 'must name a file, not a directory';
  return null;
}

/** A file path relative to the repository root, without `..` segments. */
export function repoFilePathSchema(field: string) {
  return z
    .string()
    .trim()
    .min(1, `${field} must not be empty`)
    .max(1000, `${field} must be at most 1000 characters`)
    .superRefine((path, ctx) => {
      const problem = repoFilePathProblem(path);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `${field} ${problem}` });
    })
    .describe('Path of the file relative to the repository root, e.g. deploy/values.yaml');
}

/** A git ref: branch, tag or commit; no spaces, no `..`, not starting with `-`. */
export const gitRefSchema = z
  .string()
  .trim()
  .min(1, 'ref must not be empty')
  .max(255, 'ref must be at most 255 characters')
  .regex(/^(?!-)(?!.*\.\.)[^\s~^:?*[\\\x00-\x1f\x7f]+$/, 'ref must be a branch, tag or commit name')
  .describe('Branch, tag or commit; the default branch when absent');

/** The name of a credential declared in an agent's config (never the secret itself). */
export const credentialNameSchema = z
  .string()
  .trim()
  .min(1, 'credentialName must not be empty')
  .max(200, 'credentialName must be at most 200 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:@\/-]*$/, 'credentialName may hold letters, digits and _ . : @ / -')
  .describe("Name of a credential in the agents' config.yaml (for kubernetes and helm_release scrape jobs: the cluster's name, AGENT_KUBE_CLUSTER); only agents declaring it run the job");

/**
 * A yes/no filter in a query string: `true` or `false`. Kept as text (query strings are text, and
 * the OpenAPI document shows the two values); compare with `'true'`.
 */
export function queryFlagSchema(description: string) {
  return z.enum(['true', 'false'], { error: 'must be true or false' }).optional().describe(description);
}
