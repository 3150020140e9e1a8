import type { Jq } from 'jq-wasm';
import { CORE_SCHEMA, defineScalarTag, floatCoreTag, intCoreTag, loadAll, mergeTag, type ScalarTagDefinition } from 'js-yaml';
import { describeYamlError } from '../../yaml.ts';
import { evaluateJq } from './jq.ts';
import { ParseFailure, type ExtractedVersion } from './single-value.ts';

// A plain `tag: 1.10` is the float 1.1 to YAML but the version 1.10 to its author (and to yq,
// which prints scalars as written), so numbers whose text would change keep their text.
const keepingText = (tag: ScalarTagDefinition<number>) =>
  defineScalarTag<number | string>(tag.tagName, {
    implicit: tag.implicit,
    implicitFirstChars: tag.implicitFirstChars,
    resolve: (source, isExplicit, tagName) => {
      const value = tag.resolve(source, isExplicit, tagName);
      return typeof value === 'number' && !isExplicit && String(value) !== source ? source : value;
    },
    identify: tag.identify,
    represent: tag.represent,
  });

const VERSION_SCHEMA = CORE_SCHEMA.withTags(keepingText(intCoreTag), keepingText(floatCoreTag), mergeTag);

/** Most aliases one YAML file may use (charts and compose files use a handful). */
export const MAX_YAML_ALIASES = 1000;
/** Most values a YAML file may expand to once aliases are followed. */
export const MAX_YAML_NODES = 1_000_000;

/**
 * Counts the values of `documents` with aliases expanded and fails past `limit`: an alias bomb
 * loads cheaply as shared references, but turning it into JSON would expand it exponentially.
 */
function checkExpandedSize(documents: unknown[], limit: number): void {
  const stack: unknown[] = [...documents];
  let count = 0;
  while (stack.length > 0) {
    const value = stack.pop();
    if (++count > limit) throw new ParseFailure(`YAML expands to more than ${limit} values once aliases are followed (an alias bomb?)`);
    if (value !== null && typeof value === 'object') for (const child of Object.values(value)) stack.push(child);
  }
}

/**
 * Reads YAML `text` (several documents are a stream, as with yq) and runs the jq `expression`
 * on it. Call it only inside the expression sandbox's worker.
 */
export function evaluateYq(jq: Jq, text: string, expression: string): ExtractedVersion {
  let documents: unknown[];
  try {
    documents = loadAll(text, { schema: VERSION_SCHEMA, maxAliases: MAX_YAML_ALIASES }).filter((doc) => doc !== null && doc !== undefined);
  } catch (error) {
    throw new ParseFailure(`file is not valid YAML: ${describeYamlError(error)}`);
  }
  if (documents.length === 0) throw new ParseFailure('the YAML file is empty');
  checkExpandedSize(documents, MAX_YAML_NODES);
  return evaluateJq(jq, documents.map((doc) => JSON.stringify(doc)).join('\n'), expression);
}
