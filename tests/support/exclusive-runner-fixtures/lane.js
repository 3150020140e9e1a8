import { closeSync, existsSync, openSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// What each fixture file does, through marks in LANE_DIR (see exclusive-runner.test.ts).
const dir = process.env.LANE_DIR;
const mark = (what) => writeFileSync(path.join(dir, what), '');
const marked = (what) => existsSync(path.join(dir, what));

async function until(condition) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** An exclusive file holds the lane's lock (failing if another holds it) until both shared files run. */
export async function exclusiveFile(name) {
  mark(`started-${name}`);
  const lock = path.join(dir, 'lock');
  closeSync(openSync(lock, 'wx'));
  await until(() => marked('started-shared-1') && marked('started-shared-2'));
  rmSync(lock);
  mark(`finished-${name}`);
}

/**
 * shared-1 ends once both exclusive files have started or one has finished: in one pool it holds
 * its worker until they overlap. shared-2 runs beside both, one after the other.
 */
export async function sharedFile(name) {
  mark(`started-${name}`);
  const both = () => marked('started-exclusive-a') && marked('started-exclusive-b');
  if (name === 'shared-1') await until(() => both() || marked('finished-exclusive-a') || marked('finished-exclusive-b'));
  else await until(both);
}
