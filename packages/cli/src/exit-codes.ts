/**
 * Exit codes scripts can rely on (documented in README.md and `planekeeper --help`). Changing
 * one breaks someone's script: add, never renumber.
 */
export const EXIT = {
  ok: 0,
  /** The API answered an error not listed below (5xx, 429), or the server could not be reached. */
  failed: 1,
  /** A bad command, flag or setting, or input the API refused as invalid (400). */
  usage: 2,
  /** The thing named does not exist (404, or no agent of that name). */
  notFound: 3,
  /** The key is missing, unknown or revoked (401), or its role may not do this (403). */
  denied: 4,
  /** The request conflicts with the current state (409): e.g. a task that did not fail. */
  conflict: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line on stderr and exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** The exit code for an API error answered with HTTP `status`. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 400 || status === 413) return EXIT.usage;
  if (status === 401 || status === 403) return EXIT.denied;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  return EXIT.failed;
}
