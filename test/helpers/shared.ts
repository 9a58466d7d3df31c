// Reference data from outside the project lives in ../shared beside the checkout (CI always has
// it; a user's clone may not). Tests that use it say plainly when they were skipped.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const hasShared = existsSync(SHARED);

export function sharedPath(rel: string): string {
  return `${SHARED}${rel}`;
}

if (!hasShared && !process.env.HEARTH_SHARED_NOTICE) {
  process.env.HEARTH_SHARED_NOTICE = '1';
  console.warn(`SKIPPED: tests on reference data need ${SHARED} (present in CI, not in a plain clone)`);
}
