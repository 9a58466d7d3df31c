// Vitest's global setup: the build `hearth` runs (gateway/cli/build.js), made before any test
// starts one, rather than by the first few at once, or by a test running it as another user.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../gateway/cli/build.js', import.meta.url))], {
    stdio: 'inherit',
  });
}
