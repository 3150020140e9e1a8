import preset from '../jest.preset.js';

/**
 * Files that start a fault stack (every service as a real process, then kills, restarts and
 * outages with deadlines) run one at a time, in a lane of their own: two of them at once on a
 * 2-core machine would make each other's recoveries late. Every other file runs beside them on
 * the rest of maxWorkers. A file that starts a fault stack belongs here.
 */
const EXCLUSIVE = [
  'reliability/agent-fleet-churn',
  'reliability/agent-killed-mid-task',
  'reliability/postgres-restart',
  'reliability/queue-backlog',
  'reliability/services-killed-mid-work',
  'reliability/webhook-receiver-outage',
].map((file) => `/${file}\\.test\\.ts$`);

export default {
  ...preset,
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/../packages/db/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/../packages/db/src/testing/global-teardown.ts',
  testTimeout: 120_000,
  runner: ['<rootDir>/support/exclusive-runner.js', { exclusive: EXCLUSIVE }],
  // One worker for the exclusive lane, two for the rest: the files spend most of their time
  // waiting on the processes they started.
  maxWorkers: 3,
};
