// A NOTIFY_SOCKET as systemd opens one: a unix datagram socket, here bound by a small python3
// process (Node cannot bind one) that prints each datagram it receives as a JSON line.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { requireTool } from './tools.ts';
import { until } from './until.ts';

const RECEIVER = `
import socket, sys, json, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps({"bound": True}), flush=True)
while True:
    data = s.recv(65536)
    print(json.dumps({"at": time.time() * 1000, "text": data.decode()}), flush=True)
`;

export type Notification = { at: number; text: string };

export async function notifySocket(dir: string): Promise<{ path: string; received: () => Notification[] }> {
  const python = requireTool('python3', 'python3');
  const path = join(dir, 'notify.sock');
  const child = spawn(python, ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  onTestFinished(() => {
    child.kill();
  });
  const got: Notification[] = [];
  let bound = false;
  let rest = '';
  child.stdout.on('data', (b: Buffer) => {
    const lines = (rest + b.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) {
      const m = JSON.parse(l) as Notification & { bound?: boolean };
      if (m.bound) bound = true;
      else got.push(m);
    }
  });
  await until('the notify socket to be bound', () => bound);
  return { path, received: () => [...got] };
}
