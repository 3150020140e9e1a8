import { z } from 'zod';

/** A setting that could not be read: the message names every variable at fault. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(service: string, problems: string[]) {
    super(`${service}: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses environment variables with a zod object whose keys are the variable names. Empty strings
 * count as unset, so `FOO=` falls back to the default like an absent `FOO`.
 */
export function parseEnv<S extends z.ZodObject>(service: string, schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const given = typeof issue.path[0] === 'string' ? cleaned[issue.path[0]] : undefined;
    // A URL's user info is a password as often as not (https://user:token@host), whatever the variable.
    const shown = given === undefined ? 'unset' : looksSecret(name) ? 'given value' : JSON.stringify(given.replace(/\/\/[^@/\s]*@/g, '//…@'));
    return `${name}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(service, problems);
}

function looksSecret(name: string): boolean {
  return /KEY|TOKEN|SECRET|PASSWORD|DATABASE_URL/i.test(name);
}

/** Reusable env field schemas. */
export const env = {
  /** A TCP port. */
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  /** A whole number of seconds (or other unit) within bounds. */
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(fallback),
  /** A number of seconds that may be fractional (tests shorten intervals below a second). */
  seconds: (fallback: number, min = 0) => z.coerce.number().min(min).default(fallback),
  /** `true`/`false`/`1`/`0`/`yes`/`no`. */
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .default(fallback),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** A postgres:// connection string. */
  databaseUrl: () =>
    z
      .string()
      .refine((v) => /^postgres(ql)?:\/\//.test(v), { message: 'expected a postgres:// connection string' })
      .optional(),
};
