import { createLogger, loadConfigOrExit, runService } from '@planekeeper/runtime';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';

const config = loadConfigOrExit(() => loadConfig());
const logger = createLogger({ service: 'notifier', level: config.LOG_LEVEL });
await runService({ name: 'notifier', logger, service: createApp(config, logger) });
