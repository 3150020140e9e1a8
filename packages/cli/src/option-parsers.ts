import { InvalidArgumentError, Option } from 'commander';
import { parseDuration } from './durations.ts';

/** Parses a whole number of at least 1 (commander reports the error as a usage error). */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number, 1 or more.');
  return n;
}

/** Parses `30m`, `1h`, `7d` into seconds. */
export function durationSeconds(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === null) throw new InvalidArgumentError('must be a duration such as 90s, 30m, 1h, 1h30m, 7d.');
  return seconds;
}

/** `--limit N` of every `get`: how many items to fetch at most, following the API's pages. */
export function limitOption(): Option {
  return new Option('--limit <n>', 'list at most n items (the CLI follows the pages)').argParser(positiveInteger).default(500);
}
