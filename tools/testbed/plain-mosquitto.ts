// A Mosquitto of the benchmarks' own: plain TCP on loopback, anyone may connect, and the
// settings each benchmark asks for (queue limits, no-delay). Ready once it takes a connection.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export type PlainMosquitto = { port: number; url: string; proc: ChildProcess };

export async function plainMosquitto(dir: string, settings: string[]): Promise<PlainMosquitto> {
  if (spawnSync('sh', ['-c', 'command -v mosquitto']).status !== 0)
    throw new Error("mosquitto is not installed (Debian's mosquitto; test/setup-system.sh)");
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', ...settings, ''].join('\n'));
  const proc = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (up) return { port, url: `mqtt://127.0.0.1:${port}`, proc };
    await new Promise((r) => setTimeout(r, 25));
  }
  proc.kill();
  throw new Error('mosquitto did not start');
}
