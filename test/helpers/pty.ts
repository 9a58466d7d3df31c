// Real pseudo-terminals for the serial tests, made by python3's pty module (no socat needed).
// `openPty`: one pty whose slave is the port under test; the test writes what the device sends
// and reads what the driver wrote. `openPair`: two ptys relayed to each other, so a simulator on
// one path talks to a driver on the other (the simulators' own pair). Closing the helper closes
// the ptys: an unplug.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { renameSync, symlinkSync } from 'node:fs';
import { onTestFinished } from 'vitest';
import { openPtyPair, type PtyPair } from '../../tools/sim/pty-pair.ts';
import { requireTool } from './tools.ts';

// Keeps a slave fd open so the master never sees EIO while the port under test is closed.
const ONE = `
import os, pty, select, sys, tty
m, s = pty.openpty()
tty.setraw(s)
sys.stdout.write("PTY " + os.ttyname(s) + "\\n"); sys.stdout.flush()
while True:
    r, _, _ = select.select([0, m], [], [])
    if 0 in r:
        b = os.read(0, 4096)
        if not b: break
        os.write(m, b)
    if m in r:
        try: b = os.read(m, 4096)
        except OSError: continue
        sys.stdout.write("W " + b.hex() + "\\n"); sys.stdout.flush()
`;

export type Pty = {
  path: string;
  /** Bytes as the device would send them. */
  send: (bytes: Uint8Array | string) => void;
  /** What the driver has written so far, as hex. */
  written: () => string;
  /** Closes the pty under whoever has it open. */
  close: () => void;
};

function spawnHelper(
  script: string,
  ready: RegExp,
): Promise<{ child: ChildProcessWithoutNullStreams; m: RegExpExecArray; out: () => string }> {
  requireTool('python3', 'python3');
  const child = spawn('python3', ['-u', '-c', script]);
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, m, out: () => out });
    });
  });
}

export async function openPty(): Promise<Pty> {
  const { child, m, out } = await spawnHelper(ONE, /^PTY (\S+)\n/);
  return {
    path: m[1] as string,
    send: (b) => child.stdin.write(b),
    written: () =>
      out()
        .replace(/^PTY .*\n/, '')
        .replace(/W |\n/g, ''),
    close: () => child.kill('SIGKILL'),
  };
}

/** Two relayed ptys: [device side, gateway side]. */
export async function openPair(): Promise<PtyPair> {
  requireTool('python3', 'python3');
  const pair = await openPtyPair();
  if ('error' in pair) throw new Error(pair.error);
  onTestFinished(pair.close);
  return pair;
}

/** Points `link` at `target` atomically, as udev re-points /dev/serial/by-id on replug. */
export function pointLink(link: string, target: string): void {
  const tmp = `${link}.new`;
  symlinkSync(target, tmp);
  renameSync(tmp, link);
}
