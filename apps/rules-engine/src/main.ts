import { createLogger, loadConfigOrExit, runService } from '@planekeeper/runtime';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';

const config = loadConfigOrExit(() => loadConfig());
const logger = createLogger({ service: 'rules-engine', level: config.LOG_LEVEL });
await runService({ name: 'rules-engine', logger, service: createApp(config, logger) });
