export { ConfigError, env, parseEnv } from './config.ts';
export { createLogger, REDACTED_PATHS, type Logger } from './logger.ts';
export { createMetricsRegistry } from './metrics.ts';
export { answerOpsRequest, closeServer, createOpsServer, listen, type ReadinessCheck } from './ops-server.ts';
export { loadConfigOrExit, runService, type Service } from './lifecycle.ts';
