// A fleet of simulated homes over several processes (--processes): one process holds no more
// connections than its open-file limit allows, and uses one core. Each child is `hearth simulate
// homes` again with --slice k/n, running its homes (homes-options.ts, sliceOf) and telling this
// parent over the IPC channel how many are connected; their JSON lines pass through whole.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EXIT, out, stopSignal } from '../../core/process.ts';
import type { Plan, SimulateHomesOptions } from './homes-options.ts';

const HEARTH = fileURLToPath(new URL('../../gateway/cli/hearth.js', import.meta.url));

type FromChild = {
  connected?: number;
  up?: boolean;
  failed?: string;
  burstDone?: { homes: number; messages: number };
};

const flags = (o: SimulateHomesOptions) =>
  Object.entries(o).flatMap(([k, v]) =>
    v === undefined || k === 'processes'
      ? []
      : [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)],
  );

/** Passes a child's stdout on a line at a time, so two children's lines never interleave. */
function passLines(c: ChildProcess) {
  let rest = '';
  c.stdout?.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString();
    const end = text.lastIndexOf('\n') + 1;
    rest = text.slice(end);
    if (end > 0) process.stdout.write(text.slice(0, end));
  });
}

export async function runProcesses(plan: Plan, o: SimulateHomesOptions): Promise<number> {
  const stop = stopSignal();
  const t0 = performance.now();
  const connected = new Array<number>(plan.processes).fill(0);
  let shown = 0;
  let up = 0;
  let burstsDone = 0;
  let burst = { homes: 0, messages: 0 };
  let tBurst = 0;
  let failure: ((why: string) => void) | undefined;
  const failed = new Promise<string>((resolve) => {
    failure = resolve;
  });
  let allUp: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    allUp = resolve;
  });
  const children = Array.from({ length: plan.processes }, (_, k) => {
    const c = fork(HEARTH, ['simulate', 'homes', ...flags(o), '--slice', `${k}/${plan.processes}`], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      execArgv: [],
    });
    passLines(c);
    c.on('message', (m: FromChild) => {
      if (m.failed) failure?.(m.failed);
      if (m.connected !== undefined) {
        connected[k] = m.connected;
        const n = connected.reduce((a, b) => a + b, 0);
        if (n - shown >= 1_000 || n === plan.count) {
          shown = n;
          process.stderr.write(`hearth simulate homes: ${n} of ${plan.count} connected\n`);
        }
      }
      if (m.up && ++up === plan.processes) allUp();
      if (m.burstDone) {
        burst = { homes: burst.homes + m.burstDone.homes, messages: burst.messages + m.burstDone.messages };
        if (++burstsDone === plan.processes)
          process.stderr.write(
            `hearth simulate homes: burst: ${burst.homes} homes back with ${burst.messages} messages in ${((performance.now() - tBurst) / 1000).toFixed(1)} s\n`,
          );
      }
    });
    c.on('exit', (code) => {
      if (code !== EXIT.ok) failure?.(`a process of homes (${k + 1} of ${plan.processes}) ended (${code})`);
    });
    return c;
  });
  const end = async (code: number) => {
    stop.release();
    const gone = children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null));
    for (const c of children) if (c.connected) c.send({ stop: true });
    await Promise.all(gone);
    return code;
  };
  const first = await Promise.race([ready.then(() => null), failed, stop.then(() => 'stopped')]);
  if (first === 'stopped') return end(EXIT.ok);
  if (first !== null) {
    process.stderr.write(`hearth simulate homes: ${first}\n`);
    for (const c of children) c.kill('SIGKILL');
    stop.release();
    return EXIT.failed;
  }
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  await out(
    `${plan.count} homes connected to ${plan.urls.join(', ')} in ${s} s over ${plan.processes} processes, a heartbeat each every ${plan.heartbeatMs / 1000}s; Ctrl-C to stop`,
  );
  const burstTimer = setTimeout(() => {
    if (plan.burst > 0) {
      tBurst = performance.now();
      for (const c of children) if (c.connected) c.send({ burst: true });
    }
  }, plan.burstAfterMs);
  await stop;
  clearTimeout(burstTimer);
  const code = await end(EXIT.ok);
  await out('homes disconnected');
  return code;
}
