import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const step = join(import.meta.dirname, '..', 'test-prerequisites.sh');

/**
 * The step runs for real, with bash, on a PATH that holds only stand-ins for what it asks the
 * machine: `id` (am I root?), `apt-get` (which records its arguments) and the commands of a list
 * made for the test, so the machine's own git or sshd never count.
 */
let dir: string;
let bin: string;
let list: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pk-test-prerequisites-'));
  bin = join(dir, 'bin');
  spawnSync('mkdir', [bin]);
  list = join(dir, 'list.txt');
  writeFileSync(list, [
    '# a comment, then a blank line',
    '',
    'pk-peer-one   pk-peer-one-cmd   # one',
    'pk-peer-two   pk-peer-two-cmd',
    'pk-peer-three pk-peer-three-cmd # three',
  ].join('\n'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tool(name: string, script: string): void {
  writeFileSync(join(bin, name), `#!/bin/sh\n${script}\n`);
  chmodSync(join(bin, name), 0o755);
}

function machine(options: { uid: number; apt: boolean; installed: string[] }): void {
  tool('id', `echo ${options.uid}`);
  if (options.apt) tool('apt-get', `echo "$*" >> ${join(dir, 'apt-calls')}`);
  for (const command of options.installed) tool(command, 'exit 0');
}

function run(args = [list]) {
  const result = spawnSync('/bin/bash', [step, ...args], { env: { PATH: bin }, encoding: 'utf8' });
  let aptCalls: string[] = [];
  try {
    aptCalls = readFileSync(join(dir, 'apt-calls'), 'utf8').trim().split('\n');
  } catch {
    // apt-get never ran
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, aptCalls };
}

describe('the test command\'s first step', () => {
  it('does nothing, silently, when every command is there', () => {
    machine({ uid: 0, apt: true, installed: ['pk-peer-one-cmd', 'pk-peer-two-cmd', 'pk-peer-three-cmd'] });
    expect(run()).toEqual({ status: 0, stdout: '', stderr: '', aptCalls: [] });
  });

  it('reads its own list by default: with every command listed there present, nothing happens', () => {
    const commands = readFileSync(join(import.meta.dirname, '..', 'test-prerequisites.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'))
      .map((line) => line.split(/\s+/)[1]!);
    expect(commands).toEqual(expect.arrayContaining(['git', 'sshd', 'docker-registry', 'htpasswd']));
    machine({ uid: 0, apt: true, installed: commands });
    expect(run([])).toEqual({ status: 0, stdout: '', stderr: '', aptCalls: [] });
  });

  it('as root with apt, installs exactly the packages whose command is missing', () => {
    machine({ uid: 0, apt: true, installed: ['pk-peer-two-cmd'] });
    const result = run();
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('installing test prerequisites: pk-peer-one pk-peer-three\n');
    expect(result.aptCalls).toEqual(['update -qq', 'install -y --no-install-recommends pk-peer-one pk-peer-three -qq']);
  });

  it('not root, stops at once with one line naming what is missing and the command to run', () => {
    machine({ uid: 1000, apt: true, installed: ['pk-peer-two-cmd'] });
    const result = run();
    expect(result.status).not.toBe(0);
    expect(result.aptCalls).toEqual([]);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'pnpm test needs pk-peer-one-cmd pk-peer-three-cmd (not found): run sudo apt-get install -y --no-install-recommends pk-peer-one pk-peer-three (or pnpm test as root, which does)',
    ]);
  });

  it('without apt, even as root, stops at once with one line naming the packages', () => {
    machine({ uid: 0, apt: false, installed: [] });
    const result = run();
    expect(result.status).not.toBe(0);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'pnpm test needs pk-peer-one-cmd pk-peer-two-cmd pk-peer-three-cmd (not found): install them with your package manager (Debian packages: pk-peer-one pk-peer-two pk-peer-three)',
    ]);
  });

  it('fails with apt\'s own error when apt cannot install', () => {
    machine({ uid: 0, apt: false, installed: [] });
    tool('apt-get', 'echo "E: Unable to locate package" >&2; exit 100');
    const result = run();
    expect(result.status).toBe(100);
    expect(result.stderr).toContain('E: Unable to locate package');
  });
});
