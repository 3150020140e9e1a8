/** A version read from a file: the value as text and the raw text it came from. */
export interface ExtractedVersion {
  version: string;
  raw: string;
}

/** Why an expression's result is not one version; `ParseFailure`s become non-retryable task failures. */
export class ParseFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParseFailure';
  }
}

/** Longest version the server accepts. */
export const VERSION_MAX_LENGTH = 200;

/**
 * The version in jq's compact output (one JSON text per line): exactly one string or number.
 * Numbers keep their literal text, so `1.10` stays `1.10` rather than becoming 1.1.
 */
export function singleVersionFromJqOutput(stdout: string): ExtractedVersion {
  const outputs = stdout.split('\n').filter((line) => line !== '');
  if (outputs.length === 0) throw new ParseFailure('expression returned no value');
  if (outputs.length > 1) throw new ParseFailure(`expression returned ${outputs.length} values; select a single value`);
  const text = outputs[0] as string;
  if (text === 'null') throw new ParseFailure('expression returned null: the path is not in the file');
  if (text.startsWith('{')) throw new ParseFailure('expression returned an object; select a single value');
  if (text.startsWith('[')) throw new ParseFailure('expression returned an array; select a single value');
  if (text === 'true' || text === 'false') throw new ParseFailure('expression returned a boolean; select a version string or number');
  const value = text.startsWith('"') ? (JSON.parse(text) as string) : text;
  return checkedVersion(value, value);
}

/** `value` as a version: trimmed, not empty, not too long. */
export function checkedVersion(value: string, raw: string): ExtractedVersion {
  const version = value.trim();
  if (version === '') throw new ParseFailure('expression returned an empty string');
  if (version.length > VERSION_MAX_LENGTH) throw new ParseFailure(`expression returned ${version.length} characters; a version has at most ${VERSION_MAX_LENGTH}`);
  return { version, raw: raw.slice(0, 10_000) };
}
