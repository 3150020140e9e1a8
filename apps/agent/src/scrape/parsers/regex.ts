import { checkedVersion, ParseFailure, type ExtractedVersion } from './single-value.ts';

function compile(expression: string, flags: string): RegExp {
  try {
    return new RegExp(expression, flags);
  } catch (error) {
    throw new ParseFailure(`regex does not compile: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The first capture group of the first match of `expression` in `text`. Multiline mode, so `^`
 * and `$` anchor at line ends as in a Dockerfile (`^FROM nginx:(\S+)`). Unbounded in time on a
 * catastrophic pattern: call it only inside the expression sandbox's worker.
 */
export function evaluateRegex(text: string, expression: string): ExtractedVersion {
  const regex = compile(expression, 'm');
  const match = regex.exec(text);
  if (match === null) throw new ParseFailure('regex did not match the file');
  if (match.length < 2) throw new ParseFailure('regex has no capture group: the first group is the version, e.g. FROM nginx:(\\S+)');
  const version = match[1];
  if (version === undefined) throw new ParseFailure('the regex matched but its first capture group did not take part in the match');
  return checkedVersion(version, match[0]);
}

/** The tags `pattern` matches (unanchored, as the server applies a gather job's tag filter). */
export function filterTags(pattern: string, tags: readonly string[]): string[] {
  const regex = compile(pattern, '');
  return tags.filter((tag) => regex.test(tag));
}
