import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Runs jest for real over four fixture files (exclusive-runner-fixtures/), exclusive ones first
// as jest orders the slowest: two exclusive files, which fail if they overlap and wait for both
// shared files to start, and two shared files, which wait for the exclusive files to start (or,
// for the first, one to finish). Every file passes only if the exclusive files run one after the
// other while the shared files run beside them; in band, some file waits for a start that never
// comes; in one pool of workers, both exclusive files start at once.
const fixtures = path.join(import.meta.dirname, 'exclusive-runner-fixtures');
const jest = path.join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'jest');

let laneDir: string;
beforeEach(() => {
  laneDir = mkdtempSync(path.join(os.tmpdir(), 'pk-exclusive-lane-'));
});
afterEach(() => rmSync(laneDir, { recursive: true, force: true }));

function runJest(runner: unknown) {
  const config = {
    rootDir: fixtures,
    testMatch: ['<rootDir>/*.fixture.js'],
    transform: {},
    testEnvironment: 'node',
    testTimeout: 15_000,
    maxWorkers: 3,
    ...(runner ? { runner } : {}),
    testSequencer: path.join(fixtures, 'exclusive-first-sequencer.js'),
    // Jest runs fast files in band once it has timed them: a fresh cache keeps the workers.
    cacheDirectory: path.join(laneDir, 'cache'),
  };
  // --forceExit: a file that fails while waiting leaves its wait running.
  return spawnSync(jest, ['--config', JSON.stringify(config), '--ci', '--forceExit'], { env: { ...process.env, LANE_DIR: laneDir }, encoding: 'utf8', timeout: 60_000 });
}

describe('the exclusive-lane runner', () => {
  it('runs exclusive files one at a time, beside the shared files', () => {
    const result = runJest([path.join(import.meta.dirname, 'exclusive-runner.js'), { exclusive: ['/exclusive-[ab]\\.fixture\\.js$'] }]);
    expect({ status: result.status, output: result.stderr }).toEqual({ status: 0, output: expect.stringContaining('4 passed, 4 total') });
  });

  it('is needed: jest\'s own runner, with as many workers, starts both exclusive files at once', () => {
    const result = runJest(undefined);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('EEXIST');
  });
});
