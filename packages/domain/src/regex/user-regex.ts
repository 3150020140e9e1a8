import { RE2JS } from 're2js';

/**
 * Regular expressions written by users (gather tag filters, helm_sync chart filters, the scrape
 * `regex` parser) run here, never in JavaScript's backtracking `RegExp`: there `^(a+)+$` against
 * `aaaa…a!` takes exponential time, and one such filter stalled the rules-engine for every
 * organization (issue 13). re2js runs RE2 semantics in time linear in the input; it was chosen
 * over re2-wasm, which leaks every compiled pattern and aborts at a fixed 16 MB heap (see
 * bench/README.md for the figures).
 *
 * Supported syntax is RE2's (https://github.com/google/re2/wiki/Syntax), which is JavaScript's
 * for everything a tag filter or version extractor needs:
 * - literals, `.`, character classes `[a-z0-9._-]`, `[^...]`, `\d \w \s \D \W \S`, `\b \B`,
 *   POSIX classes `[[:alpha:]]`, Unicode classes `\pL`, `\p{Greek}`;
 * - anchors `^ $` (`\A \z` for the whole text), alternation `a|b`, groups `(...)`, non-capturing
 *   `(?:...)`, named `(?P<name>...)` or `(?<name>...)`;
 * - repetition `* + ? {n} {n,} {n,m}` (at most 1000) and their lazy forms `*? +? ??`;
 * - inline flags `(?i)` (case-insensitive), `(?m)` (multi-line), `(?s)` (`.` matches `\n`),
 *   `(?U)` (ungreedy), also scoped as `(?i:...)`; escapes `\x41`, `\x{263a}`, `\n`, `\t`, `\Q...\E`.
 *
 * Not supported, and refused with a message that says so: backreferences (`\1`, `\k<name>`),
 * lookahead and lookbehind (`(?=`, `(?!`, `(?<=`, `(?<!`), atomic groups `(?>`, `\uFFFF`
 * escapes (write `\x{FFFF}`), `\Z` (write `\z` or `$`), and JavaScript's `/.../flags` literals.
 */

/** Longest pattern accepted when the caller sets no `maxLength` (the API's limit). */
export const USER_REGEX_MAX_LENGTH = 500;

/**
 * Largest compiled program accepted, in RE2 instructions. Matching costs up to one step per
 * instruction per character, so this bounds the worst case: a pattern at the limit reads a 1 MB
 * file in well under a second. Real filters compile to tens of instructions; one `x{1000}` or
 * `x{1,1000}` fits, a pile of them does not.
 */
export const USER_REGEX_MAX_PROGRAM_SIZE = 2500;

/** The first match of a pattern and its first capture group. */
export interface RegexCapture {
  /** The whole matched text. */
  match: string;
  /** The first capture group's text; undefined when the pattern has none or it took no part. */
  capture: string | undefined;
}

/** A compiled user pattern. Every method runs in time linear in the length of `text`. */
export interface UserRegex {
  /** The pattern as written. */
  readonly source: string;
  /** Number of capture groups (named ones included). */
  readonly captureGroups: number;
  /** Whether the pattern matches anywhere in `text` (unanchored, as `RegExp.prototype.test`). */
  test(text: string): boolean;
  /** The leftmost match in `text` with its first capture group, or null when nothing matches. */
  firstCapture(text: string): RegexCapture | null;
}

/** The outcome of {@link compileUserRegex}: a regex, or why the pattern is refused. */
export type CompiledUserRegex = { ok: true; regex: UserRegex } | { ok: false; error: string };

/** Options of {@link compileUserRegex}. */
export interface UserRegexOptions {
  /** Longest pattern accepted, in characters; default {@link USER_REGEX_MAX_LENGTH}. */
  maxLength?: number;
  /** `^` and `$` match at line ends, as `(?m)` (the scrape parser reads whole files this way). */
  multiline?: boolean;
}

/**
 * Compiles a user's pattern for the linear-time engine. Never throws: a pattern that is too
 * long, too large once compiled, or not RE2 syntax comes back as `{ ok: false, error }`, where
 * `error` says what is wrong in words a user can act on (and names lookaround and
 * backreferences when those are the reason).
 */
export function compileUserRegex(pattern: string, options: UserRegexOptions = {}): CompiledUserRegex {
  const maxLength = options.maxLength ?? USER_REGEX_MAX_LENGTH;
  if (pattern.length > maxLength) return { ok: false, error: `is ${pattern.length} characters long; at most ${maxLength} are allowed` };
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern, options.multiline === true ? RE2JS.MULTILINE : 0);
  } catch (error) {
    return { ok: false, error: unsupportedConstruct(pattern) ?? describeSyntaxError(error) };
  }
  const size = compiled.programSize();
  if (size > USER_REGEX_MAX_PROGRAM_SIZE) {
    return {
      ok: false,
      error: `is too large for the linear-time engine (${size} instructions once compiled, at most ${USER_REGEX_MAX_PROGRAM_SIZE}); use fewer or smaller counted repetitions such as {1000}`,
    };
  }
  const captureGroups = compiled.groupCount();
  return {
    ok: true,
    regex: {
      source: pattern,
      captureGroups,
      test: (text) => compiled.test(text),
      firstCapture(text) {
        const match = compiled.exec(text) as (string | undefined)[] | null;
        if (match === null) return null;
        return { match: match[0] ?? '', capture: captureGroups > 0 ? match[1] : undefined };
      },
    },
  };
}

const SYNTAX_NOTE = 'patterns use RE2 syntax, which has no lookaround or backreferences';

function describeSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `is not a valid RE2 regular expression: ${message.replace(/^error parsing regexp: /, '')}`;
}

/**
 * The JavaScript/Perl construct RE2 refused, named for the user, or null. RE2's own messages
 * for these are misleading (`(?<=` reads as "invalid named capture"). Escapes and character
 * classes are skipped, so `\(?=` or `[(?=]` are not mistaken for lookahead.
 */
function unsupportedConstruct(pattern: string): string | null {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    const next = pattern[i + 1] ?? '';
    if (char === '\\') {
      if (/[1-9]/.test(next)) return `uses a backreference (\\${next}), which is not supported: ${SYNTAX_NOTE}`;
      if (next === 'k' && pattern[i + 2] === '<') return `uses a named backreference (\\k<...>), which is not supported: ${SYNTAX_NOTE}`;
      if (next === 'u') return 'uses a \\u escape, which is not supported: write \\x{263a} for a code point (RE2 syntax)';
      if (next === 'Z') return 'uses \\Z, which is not supported: write \\z or $ for the end of the text (RE2 syntax)';
      i++;
    } else if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal, not the end of the class.
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (char === '(' && next === '?') {
      const opener = pattern.slice(i, i + 4);
      if (opener.startsWith('(?=') || opener.startsWith('(?!')) return `uses a lookahead (${opener.slice(0, 3)}...), which is not supported: ${SYNTAX_NOTE}`;
      if (opener === '(?<=' || opener === '(?<!') return `uses a lookbehind (${opener}...), which is not supported: ${SYNTAX_NOTE}`;
      if (opener.startsWith('(?>')) return `uses an atomic group ((?>...)), which is not supported: ${SYNTAX_NOTE}`;
    }
  }
  return null;
}
