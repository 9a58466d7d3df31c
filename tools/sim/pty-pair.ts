// Two pseudo-terminals relayed to each other, so a simulated device on one path talks to a
// driver on the other exactly as through a USB-UART cable. Node has no pty API of its own;
// python3's pty module (in every Debian and Raspberry Pi OS install) makes them, with nothing
// to build or install.
import { spawn } from 'node:child_process';

const PAIR = `
import os, pty, select, sys, tty
m1, s1 = pty.openpty()
m2, s2 = pty.openpty()
tty.setraw(s1); tty.setraw(s2)
sys.stdout.write("PAIR " + os.ttyname(s1) + " " + os.ttyname(s2) + "\\n"); sys.stdout.flush()
other = {m1: m2, m2: m1}
while True:
    r, _, _ = select.select([0, m1, m2], [], [])
    if 0 in r and not os.read(0, 4096): break
    for m in (m1, m2):
        if m in r:
            try: b = os.read(m, 4096)
            except OSError: continue
            os.write(other[m], b)
`;

export type PtyPair = {
  /** [the device's end, the gateway's end] */
  ends: [string, string];
  /** Closes both ptys: to whoever has them open, an unplug. */
  close: () => void;
};

/** A relayed pty pair, or why the system cannot make one (no python3). */
export function openPtyPair(): Promise<PtyPair | { error: string }> {
  const child = spawn('python3', ['-u', '-c', PAIR], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve) => {
    child.on('error', (err) => resolve({ error: `cannot make pseudo-terminals: ${err.message}` }));
    child.on('exit', (code) => resolve({ error: `the pty helper exited (${code})` }));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /^PAIR (\S+) (\S+)\n/.exec(out);
      if (m?.[1] && m[2])
        resolve({
          ends: [m[1], m[2]],
          close: () => {
            child.stdin.end();
            child.kill('SIGKILL');
          },
        });
    });
  });
}
