// A `hearth hub` as a trust runs it, for the benchmark: its own process, so that the load
// generator's work is not counted as the hub's. Its counters are read from /healthz, its CPU time
// from /proc (Linux), and its commits are what it says it has handled.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HubConfigInput } from '../../config/hub-schema.ts';
import { startHearthUntil } from './hearth-process.ts';

export type HubProcess = {
  pid: number;
  /** Messages stored, repeats, refusals, and all handled so far. */
  counters(): Promise<{
    stored: number;
    handled: number;
    rejected: number;
    duplicates: number;
    batches: number;
  }>;
  /** CPU time (user and system) it has used, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
};

/** Linux counts a process's CPU time in clock ticks, a hundred a second on every usual kernel. */
const TICKS_PER_S = 100;

export async function startHubProcess(dir: string, input: HubConfigInput): Promise<HubProcess> {
  const file = join(dir, `hub-${input.hub?.instance ?? 'bench'}.json`);
  writeFileSync(file, JSON.stringify(input));
  const { child, line } = await startHearthUntil(['hub', '--config', file], /"msg":"hub running"/);
  const web = String((JSON.parse(line) as { web: string }).web);
  const pid = child.pid as number;
  return {
    pid,
    async counters() {
      const r = await fetch(`${web}/healthz`);
      return (await r.json()) as Awaited<ReturnType<HubProcess['counters']>>;
    },
    cpuMs() {
      // Fields after the command's name (which may hold spaces, so split after its ')'): utime, stime are 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const closed = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await closed;
    },
  };
}
