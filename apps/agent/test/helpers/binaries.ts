import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The path of a program the tests need; throws (never skips) with the Debian package to install
 * when it is missing. CI installs everything listed in test/APT_PACKAGES.
 */
export function requireBinary(name: string, debianPackage: string, candidates: string[] = []): string {
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is required by these tests but not installed: apt-get install -y ${debianPackage} (see apps/agent/test/APT_PACKAGES)`);
  }
}
