// `hearth simulate homes`: many homes at the trust's broker at once (homes.ts),
// to size a trust's broker and hub before real homes depend on them. Runs until Ctrl-C.
import { readFileSync } from 'node:fs';
import { parseDuration } from '../../config/values.ts';
import { EXIT, out, stopSignal } from '../../core/process.ts';
import { startHomes } from './homes.ts';

export type SimulateHomesOptions = {
  broker: string;
  count: string;
  heartbeat: string;
  ca?: string;
  cert?: string;
  key?: string;
  username?: string;
  passwordEnv?: string;
};

/** Linux's limit on open files for this process, where it can be read. */
function openFilesLimit(): number | undefined {
  try {
    const soft = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    return soft === undefined ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

export async function simulateHomesCommand(o: SimulateHomesOptions): Promise<number> {
  const refuse = async (why: string) => {
    process.stderr.write(`hearth simulate homes: ${why}\n`);
    return EXIT.badInput;
  };
  const count = Number(o.count);
  if (!Number.isInteger(count) || count < 1)
    return refuse(`--count ${o.count}: expected a whole number, 1 or more`);
  const heartbeatMs = parseDuration(o.heartbeat);
  if (heartbeatMs === undefined || heartbeatMs < 1_000)
    return refuse(`--heartbeat ${o.heartbeat}: expected a duration of 1s or more, such as 60s`);
  if (!/^(mqtts?|tcp|ssl|tls|wss?):\/\//.test(o.broker))
    return refuse(`--broker ${o.broker}: expected a URL such as mqtts://broker.example:8883`);
  const limit = openFilesLimit();
  if (limit !== undefined && limit < count + 64)
    return refuse(
      `${count} homes need ${count + 64} open files, and this shell allows ${limit}: raise it (ulimit -n ${count + 64})`,
    );
  let password: string | undefined;
  if (o.passwordEnv !== undefined) {
    password = process.env[o.passwordEnv];
    if (password === undefined) return refuse(`--password-env ${o.passwordEnv}: that variable is not set`);
  }
  const file = (what: string, path: string | undefined) => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (e) {
      throw new Error(`--${what} ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
  };
  let tls: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  try {
    tls = { ca: file('ca', o.ca), cert: file('cert', o.cert), key: file('key', o.key) };
  } catch (e) {
    return refuse((e as Error).message);
  }

  const t0 = performance.now();
  let shown = 0;
  let homes: Awaited<ReturnType<typeof startHomes>>;
  // Listened for before the homes connect (see stopSignal).
  const stop = stopSignal();
  try {
    homes = await startHomes({
      url: o.broker,
      count,
      heartbeatMs,
      ...tls,
      username: o.username,
      password,
      spread: true,
      onProgress: (n) => {
        if (n - shown >= 1_000 || n === count) {
          shown = n;
          process.stderr.write(`hearth simulate homes: ${n} of ${count} connected\n`);
        }
      },
    });
  } catch (e) {
    stop.release();
    process.stderr.write(`hearth simulate homes: cannot connect to ${o.broker}: ${(e as Error).message}\n`);
    return EXIT.failed;
  }
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  await out(
    `${count} homes connected to ${o.broker} in ${s} s, a heartbeat each every ${o.heartbeat}; Ctrl-C to stop`,
  );
  await stop;
  await homes.stop();
  await out('homes disconnected');
  return EXIT.ok;
}
