import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear, so a secret that reaches a log call by accident is
 * never written: API keys, webhook URLs and signing secrets, credentials, tokens.
 */
export const REDACTED_PATHS = [
  'key', '*.key', 'apiKey', '*.apiKey', 'adminKey', '*.adminKey',
  'secret', '*.secret', 'token', '*.token', 'password', '*.password', 'passphrase', '*.passphrase',
  'privateKey', '*.privateKey', 'private_key', '*.private_key',
  'url', '*.url', 'webhookUrl', '*.webhookUrl', 'databaseUrl', '*.databaseUrl', 'DATABASE_URL',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'req.headers["x-api-key"]', 'headers["x-api-key"]', 'req.headers.cookie',
];

/** A JSON logger for one service, with secrets redacted. */
export function createLogger(options: { service: string; level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      name: options.service,
      level: options.level,
      base: { service: options.service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
