import { compileUserRegex, type UserRegex } from '@planekeeper/domain/regex';
import { TaskError } from '../../task-error.ts';
import { checkedVersion, ParseFailure, type ExtractedVersion } from './single-value.ts';

// User patterns run in the domain's linear-time engine (RE2 syntax), so they need no sandbox:
// a pattern that would backtrack for ever in JavaScript answers in one pass over the text.

function compile(pattern: string, what: string, multiline: boolean): UserRegex {
  const compiled = compileUserRegex(pattern, { multiline });
  if (!compiled.ok) throw new TaskError(`${what} ${compiled.error}`, { retryable: false });
  return compiled.regex;
}

/**
 * The first capture group of the first match of `expression` in `text`. Multi-line mode, so `^`
 * and `$` anchor at line ends as in a Dockerfile (`^FROM nginx:(\S+)`).
 */
export function evaluateRegex(text: string, expression: string): ExtractedVersion {
  const regex = compile(expression, 'regex expression', true);
  if (regex.captureGroups < 1) {
    throw new TaskError('regex expression has no capture group: the first group is the version, e.g. FROM nginx:(\\S+)', { retryable: false });
  }
  const found = regex.firstCapture(text);
  if (found === null) throw new TaskError('regex did not match the file', { retryable: false });
  if (found.capture === undefined) throw new TaskError('the regex matched but its first capture group did not take part in the match', { retryable: false });
  try {
    return checkedVersion(found.capture, found.match);
  } catch (error) {
    throw error instanceof ParseFailure ? new TaskError(error.message, { retryable: false }) : error;
  }
}

/**
 * The names `pattern` matches, unanchored, as the servers apply a gather job's tag filter (and a
 * helm_sync job's chart filter). `what` names the filter in the failure message.
 */
export function filterTags(pattern: string, tags: readonly string[], what = 'tag filter'): string[] {
  const regex = compile(pattern, what, false);
  return tags.filter((tag) => regex.test(tag));
}
