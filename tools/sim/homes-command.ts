// `hearth simulate homes`: many homes at the trust's broker at once (homes.ts), to size a trust's
// broker and hub before real homes depend on them; with --processes, spread over several
// processes (homes-processes.ts), each running a slice. Runs until Ctrl-C. What the homes send
// beside heartbeats (alert states, summaries, a burst's backlog) is printed as JSON lines, with
// when it was published and acknowledged, for a benchmark to match against what was stored.
import { readFileSync } from 'node:fs';
import { EXIT, out, stopSignal } from '../../core/process.ts';
import { type Homes, type SentEvent, startHomes } from './homes.ts';
import { type Plan, readPlan, type SimulateHomesOptions, sliceOf } from './homes-options.ts';
import { runProcesses } from './homes-processes.ts';

export type { SimulateHomesOptions } from './homes-options.ts';

/** Linux's limit on open files for this process, where it can be read. */
function openFilesLimit(): number | undefined {
  try {
    const soft = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    return soft === undefined ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

export type Credentials = { ca?: Buffer; cert?: Buffer; key?: Buffer; username?: string; password?: string };

export async function simulateHomesCommand(o: SimulateHomesOptions): Promise<number> {
  const refuse = async (why: string) => {
    process.stderr.write(`hearth simulate homes: ${why}\n`);
    return EXIT.badInput;
  };
  const plan = readPlan(o);
  if (typeof plan === 'string') return refuse(plan);
  const limit = openFilesLimit();
  const own = plan.slice
    ? sliceOf(plan, plan.slice.k, plan.slice.n).count
    : Math.ceil(plan.count / plan.processes);
  if (limit !== undefined && limit < own + 64)
    return refuse(
      plan.processes > 1
        ? `${own} homes a process need ${own + 64} open files, and this shell allows ${limit}: raise it (ulimit -n ${own + 64}) or use more --processes`
        : `${plan.count} homes need ${plan.count + 64} open files, and this shell allows ${limit}: raise it (ulimit -n ${plan.count + 64}) or spread them with --processes`,
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
  let creds: Credentials;
  try {
    creds = {
      ca: file('ca', o.ca),
      cert: file('cert', o.cert),
      key: file('key', o.key),
      username: o.username,
      password,
    };
  } catch (e) {
    return refuse((e as Error).message);
  }
  if (plan.slice) return runSlice(plan, creds, plan.slice);
  if (plan.processes > 1) return runProcesses(plan, o);
  return runSlice(plan, creds);
}

/** JSON lines to stdout, written together once a turn of the event loop, not one write each. */
function lineWriter() {
  let lines: string[] = [];
  return (obj: object) => {
    if (lines.length === 0)
      setImmediate(() => {
        const text = lines.join('');
        lines = [];
        process.stdout.write(text);
      });
    lines.push(`${JSON.stringify(obj)}\n`);
  };
}

/**
 * This process's homes: all of them, or (with a slice) its part of a fleet, told by its parent
 * over the IPC channel when to burst and when to stop, and gone at once without a goodbye if the
 * parent is (as the whole fleet would be, killed).
 */
async function runSlice(plan: Plan, creds: Credentials, slice?: { k: number; n: number }): Promise<number> {
  const part = slice ? sliceOf(plan, slice.k, slice.n) : { first: 1, count: plan.count, burst: plan.burst };
  const tell = (m: object) => process.send?.(m);
  const line = lineWriter();
  const t0 = performance.now();
  let shown = 0;
  let homes: Homes;
  // Listened for before the homes connect (see stopSignal).
  const stop = stopSignal();
  const parentGone = () => process.exit(EXIT.failed);
  if (slice) process.once('disconnect', parentGone);
  try {
    homes = await startHomes({
      url: plan.urls,
      count: part.count,
      first: part.first,
      width: Math.max(4, String(plan.count).length),
      heartbeatMs: plan.heartbeatMs,
      ...creds,
      spread: true,
      alertsPerDay: plan.alertsPerDay,
      alertLastsMs: plan.alertLastsMs,
      onSent: (e: SentEvent) => line({ event: 'sent', ...e }),
      onProgress: (n) => {
        if (slice) return tell({ connected: n });
        if (n - shown >= 1_000 || n === part.count) {
          shown = n;
          process.stderr.write(`hearth simulate homes: ${n} of ${plan.count} connected\n`);
        }
      },
    });
  } catch (e) {
    stop.release();
    const why = `cannot connect to ${plan.urls.join(', ')}: ${(e as Error).message}`;
    if (slice) tell({ failed: why });
    else process.stderr.write(`hearth simulate homes: ${why}\n`);
    return EXIT.failed;
  }
  const burst = async () => {
    const t = Date.now();
    line({ event: 'burst', homes: part.burst, ms: t });
    const r = await homes.burst(part.burst, plan.burstWithinMs, plan.burstOfflineMs);
    line({
      event: 'burst-done',
      homes: r.homes,
      messages: r.messages,
      ms: Date.now(),
      took_ms: Date.now() - t,
    });
    return r;
  };
  if (slice) {
    tell({ up: true });
    const stopped = new Promise<void>((resolve) => {
      process.on('message', (m: { burst?: boolean; stop?: boolean }) => {
        if (m.stop) resolve();
        if (m.burst)
          burst().then(
            (r) => tell({ burstDone: r }),
            (e: Error) => tell({ failed: e.message }),
          );
      });
      void stop.then(() => resolve());
    });
    await stopped;
    stop.release();
    process.off('disconnect', parentGone);
    await homes.stop();
    process.disconnect?.();
    return EXIT.ok;
  }
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  await out(
    `${plan.count} homes connected to ${plan.urls.join(', ')} in ${s} s, a heartbeat each every ${plan.heartbeatMs / 1000}s; Ctrl-C to stop`,
  );
  if (plan.burst > 0) void burstLater(plan, burst, stop);
  await stop;
  await homes.stop();
  await out('homes disconnected');
  return EXIT.ok;
}

async function burstLater(
  plan: Plan,
  burst: () => Promise<{ homes: number; messages: number }>,
  stop: Promise<unknown>,
) {
  const waited = await Promise.race([
    new Promise((r) => setTimeout(() => r(true), plan.burstAfterMs)),
    stop.then(() => false),
  ]);
  if (!waited) return;
  try {
    const t = performance.now();
    const r = await burst();
    process.stderr.write(
      `hearth simulate homes: burst: ${r.homes} homes back with ${r.messages} messages in ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
    );
  } catch (e) {
    process.stderr.write(`hearth simulate homes: burst: ${(e as Error).message}\n`);
  }
}
