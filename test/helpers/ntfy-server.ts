// An ntfy-compatible server on this machine for the push tests: it answers every POST with the
// status asked (changeable) and keeps what it was sent.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Posted = { path: string; title: string; body: string };

/** An ntfy server answering `status` (changeable); every POST kept. */
export async function ntfyServer(
  status = 200,
): Promise<{ url: string; posted: Posted[]; close(): Promise<void> }> {
  const posted: Posted[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      posted.push({ path: req.url ?? '', title: String(req.headers.title), body });
      res.statusCode = status;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posted,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
