import type { Jq } from 'jq-wasm';
import { ParseFailure, singleVersionFromJqOutput, type ExtractedVersion } from './single-value.ts';

/** jq's message without the `jq: error` prefixes and the trailing error count. */
function jqMessage(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^jq: \d+ compile errors?$/.test(line))
    .map((line) => line.replace(/^jq: (error: |error \(at [^)]*\): )?/, ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Runs `expression` on JSON `input` text (several JSON texts are a stream, as with the jq CLI)
 * and returns the single version it yields. Synchronous and unbounded in time: call it only
 * inside the expression sandbox's worker.
 */
export function evaluateJq(jq: Jq, input: string, expression: string): ExtractedVersion {
  const { stdout, stderr, exitCode } = jq.raw(input, expression, ['-c']);
  if (exitCode !== 0) {
    const message = jqMessage(stderr) || `jq exited with status ${exitCode}`;
    if (/compile error|syntax error/.test(stderr)) throw new ParseFailure(`expression does not compile: ${message}`);
    if (/parse error/.test(stderr) && !/error \(at/.test(stderr)) throw new ParseFailure(`file is not valid JSON: ${message}`);
    throw new ParseFailure(`expression failed: ${message}`);
  }
  return singleVersionFromJqOutput(stdout);
}
