import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ConfigError, env, parseEnv } from './config.ts';

const schema = z.object({
  PORT: env.port(8080),
  LOG_LEVEL: env.logLevel(),
  ALLOW: env.bool(false),
  DATABASE_URL: env.databaseUrl(),
  API_KEY: z.string().min(10),
});

describe('parseEnv', () => {
  it('applies defaults and coerces numbers and booleans', () => {
    const config = parseEnv('api', schema, { API_KEY: 'pk_0123456789', ALLOW: 'yes', PORT: '9000' });
    expect(config).toEqual({ PORT: 9000, LOG_LEVEL: 'info', ALLOW: true, API_KEY: 'pk_0123456789' });
  });

  it('treats empty strings as unset', () => {
    const config = parseEnv('api', schema, { API_KEY: 'pk_0123456789', PORT: '', DATABASE_URL: '' });
    expect(config.PORT).toBe(8080);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable and never echoes a secret', () => {
    let error: unknown;
    try {
      parseEnv('api', schema, { PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://root:hunter2@db/x', API_KEY: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'API_KEY']) expect(message).toContain(name);
    expect(message).toContain('"eighty"');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('short');
  });

  it('reports a missing required variable as unset', () => {
    expect(() => parseEnv('agent', schema, {})).toThrow(/API_KEY: .*\(unset\)/);
  });
});
