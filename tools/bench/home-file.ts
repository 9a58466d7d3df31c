// The reference home (config/examples/home.yaml) with its storage, bind key and broker port
// moved into a folder of a test's or a benchmark's own: every device absent, as on a Pi with
// nothing plugged in.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../testbed/free-port.ts';

const HOME = new URL('../../config/examples/home.yaml', import.meta.url).pathname;

export type HomeFile = { file: string; db: string; text: string; env: Record<string, string> };

export async function homeFile(dir: string, edit: (text: string) => string = (t) => t): Promise<HomeFile> {
  const key = join(dir, 'pendant.key');
  writeFileSync(key, '231d39c1d7cc1ab1aee224cd096db932\n');
  const db = join(dir, 'hearth.db');
  const text = edit(
    readFileSync(HOME, 'utf8')
      .replace('${file:/etc/hearth/keys/pendant.key}', `\${file:${key}}`)
      .replace('path: /var/lib/hearth/hearth.db', `path: ${db}`)
      .replace('port: 1883', `port: ${await freePort()}`),
  );
  const file = join(dir, 'home.yaml');
  writeFileSync(file, text);
  return { file, db, text, env: { HEARTH_Z2M_PASSWORD: 'not-a-real-password' } };
}
