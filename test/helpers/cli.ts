// Runs the real `hearth` command as a child process, as a technician or systemd would.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const HEARTH = fileURLToPath(new URL('../../gateway/cli/hearth.js', import.meta.url));

export type Running = {
  child: ChildProcess;
  output: () => string;
  /** Resolves when the combined output matches; rejects if the process exits first. */
  waitFor: (re: RegExp) => Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** `wrap` runs it under another program (e.g. fiu-run -x, to inject faults into its system calls). */
export function startHearth(args: string[], env: Record<string, string> = {}, wrap: string[] = []): Running {
  const [command = process.execPath, ...before] = [...wrap, process.execPath];
  const child = spawn(command, [...before, HEARTH, ...args], {
    cwd: ROOT,
    env: { ...process.env, HEARTH_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: { re: RegExp; resolve: (s: string) => void }[] = [];
  const feed = (chunk: Buffer) => {
    text += chunk.toString();
    for (const w of [...waiters]) {
      const m = w.re.exec(text);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[0]);
      }
    }
  };
  child.stdout?.on('data', feed);
  child.stderr?.on('data', feed);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => text,
    exited,
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        const m = re.exec(text);
        if (m) return resolve(m[0]);
        waiters.push({ re, resolve });
        void exited.then(({ code }) => reject(new Error(`hearth exited (${code}) before ${re}:\n${text}`)));
      }),
  };
}

/** Runs a hearth command to completion. */
export async function runHearth(args: string[], env: Record<string, string> = {}) {
  const r = startHearth(args, env);
  const { code } = await r.exited;
  return { code, output: r.output() };
}
