// A TCP relay between a client and a server that can be told to drop everything, both ways, with
// every connection left open: what a dead router or a black-holed route looks like to both ends
// (no reset, no close, no answer). New connections are accepted and starved the same way.
import net from 'node:net';
import { onTestFinished } from 'vitest';

export type Proxy = { port: number; drop(on: boolean): void };

export async function tcpProxy(target: { host: string; port: number }): Promise<Proxy> {
  let dropping = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', end);
      s.on('close', end);
    }
    client.on('data', (b) => dropping || upstream.write(b));
    upstream.on('data', (b) => dropping || client.write(b));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    port: (server.address() as net.AddressInfo).port,
    drop(on) {
      dropping = on;
    },
  };
}
