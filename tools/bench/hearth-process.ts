// A `hearth` command as its own process, for the benchmarks: how long until it says it is ready,
// and its memory just after and once idle, read from /proc (Linux).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const HEARTH = fileURLToPath(new URL('../../gateway/cli/hearth.js', import.meta.url));

/** V8 gives back its start-up garbage some 10–30 s into a quiet spell: idle is after that. */
const SETTLE_MS = 40_000;

const procStatus = (pid: number | undefined, field: string): number => {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb) / 1024;
  } catch {
    return Number.NaN; // not Linux
  }
};

export type ProcessFigures = {
  /** The log line that said it was ready, as JSON. */
  ready: Record<string, unknown>;
  startMs: number;
  /** Resident memory 3 s after ready. */
  readyRssMb: number;
  idleRssMb: number;
  /** Of that, what is the process's own; the rest is mostly Node's executable, shared. */
  idlePrivateMb: number;
  /** Node with nothing loaded, beside it: the floor any Node service stands on. */
  nodeAloneRssMb: number;
};

/** Starts `hearth ARGS` and resolves with it and the first line of its output that matches. */
export async function startHearthUntil(
  args: string[],
  match: RegExp,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [HEARTH, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HEARTH_LOG_LEVEL: 'info', ...env },
  });
  let text = '';
  const line = await new Promise<string>((resolve, reject) => {
    const seen = (c: Buffer) => {
      text += c.toString();
      const found = text.split('\n').find((l) => match.test(l));
      if (found !== undefined) resolve(found);
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', seen);
    child.once('close', (code) => reject(new Error(`hearth ${args.join(' ')} exited (${code}):\n${text}`)));
  });
  return { child, line };
}

export async function measureProcess(
  args: string[],
  readyMsg: string,
  env: Record<string, string> = {},
): Promise<ProcessFigures> {
  const t0 = performance.now();
  const { child, line } = await startHearthUntil(args, new RegExp(`"msg":"${readyMsg}"`), env);
  const ready = JSON.parse(line) as Record<string, unknown>;
  const startMs = performance.now() - t0;
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 3_000));
    const readyRssMb = procStatus(child.pid, 'VmRSS');
    await new Promise((r) => setTimeout(r, SETTLE_MS - 3_000));
    return {
      ready,
      startMs,
      readyRssMb,
      idleRssMb: procStatus(child.pid, 'VmRSS'),
      idlePrivateMb: procStatus(child.pid, 'RssAnon'),
      nodeAloneRssMb: procStatus(bare.pid, 'VmRSS'),
    };
  } finally {
    bare.kill();
    const closed = new Promise((r) => child.once('close', r));
    child.kill('SIGTERM');
    await closed;
  }
}
