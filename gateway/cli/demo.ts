// `hearth demo`: the gateway on embedded defaults (config/examples/demo.yaml), its database in
// a temporary folder that is removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from './run.ts';

export const DEMO_CONFIG = fileURLToPath(new URL('../../config/examples/demo.yaml', import.meta.url));

export async function demoCommand(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-demo-'));
  try {
    return await runCommand(DEMO_CONFIG, {
      storePath: join(dir, 'hearth.db'),
      banner: 'demo gateway running on embedded defaults; Ctrl-C to stop',
      // Any free port: the demo must not collide with a broker already on 1883.
      listen: [{ host: '127.0.0.1', port: 0 }],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
