import { YAMLException } from 'js-yaml';

/**
 * A YAML error as one line: the reason and position, without js-yaml's source snippet, which
 * would copy file content (possibly a secret) into logs and failure reports.
 */
export function describeYamlError(error: unknown): string {
  if (error instanceof YAMLException) {
    const where = error.mark ? ` at line ${error.mark.line + 1}, column ${error.mark.column + 1}` : '';
    return `${error.reason}${where}`;
  }
  return error instanceof Error ? error.message : String(error);
}
