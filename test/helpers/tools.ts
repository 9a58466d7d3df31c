// System tools some tests need. A missing one fails the test with what to install, never a skip.
import { spawnSync } from 'node:child_process';

export function requireTool(command: string, debianPackage: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path)
    throw new Error(
      `${command} is not installed: install Debian's ${debianPackage} (test/setup-system.sh does it)`,
    );
  return path;
}
