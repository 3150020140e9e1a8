import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The path of a program the tests need; throws (never skips) with the Debian package to install
 * when it is missing. `pnpm test` installs everything listed in scripts/test-prerequisites.txt first.
 */
export function requireBinary(name: string, debianPackage: string, candidates: string[] = []): string {
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is required by these tests but not installed: apt-get install -y ${debianPackage} (or run scripts/test-prerequisites.sh, which installs what scripts/test-prerequisites.txt lists)`);
  }
}
