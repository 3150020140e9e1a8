import { createLogger, loadConfigOrExit, runService } from '@planekeeper/runtime';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';

const config = loadConfigOrExit(() => loadConfig());
const logger = createLogger({ service: 'taskengine', level: config.LOG_LEVEL });
await runService({ name: 'taskengine', logger, service: createApp(config, logger) });
