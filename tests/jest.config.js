import preset from '../jest.preset.js';

/**
 * Files that start the whole stack (every service as a real process; the fault stacks then kill,
 * restart and cut off its parts against deadlines), or dozens of processes against a deadline,
 * run one at a time in a lane of their own: two at once make each other late on a 2-core
 * machine, and two stacks can take more connections than a default Postgres allows (100). The
 * other files start at most one service (and an agent) and run one at a time beside them. A file
 * that starts a stack belongs here.
 */
const EXCLUSIVE = [
  'browser/operations',
  'browser/operations-rules',
  'browser/session',
  'browser/workflows',
  'e2e/agent-enrollment',
  'e2e/cluster-sources',
  'e2e/fleet-operations',
  'e2e/operations-rules',
  'e2e/pipeline',
  'e2e/quickstart',
  'e2e/section-4',
  'e2e/sources',
  'e2e/unchanged-release-list',
  'reliability/agent-fleet-churn',
  'reliability/agent-killed-mid-task',
  'reliability/config',
  'reliability/postgres-restart',
  'reliability/queue-backlog',
  'reliability/replicas',
  'reliability/services-killed-mid-work',
  'reliability/webhook-receiver-outage',
  'security/hardening',
  'security/secrets-in-logs',
].map((file) => `/${file}\\.test\\.ts$`);

export default {
  ...preset,
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/../packages/db/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/../packages/db/src/testing/global-teardown.ts',
  testTimeout: 120_000,
  runner: ['<rootDir>/support/exclusive-runner.js', { exclusive: EXCLUSIVE }],
  // One worker for the exclusive lane, one for the rest: as many files at once as cores.
  maxWorkers: 2,
};
