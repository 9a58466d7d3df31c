// The console's listener as the hub file's `web` section sets it: plain HTTP, or HTTPS served by
// the hub itself (`web.tls`), and the reverse proxies whose forwarded headers are believed
// (`web.trust_proxy`): the client's address for the sign-in budget, https for Secure cookies.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { dirname, resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';

/** The hub file's `web`, file paths relative to the hub file. */
export type ConsoleWeb = {
  host: string;
  port: number;
  tls?: { cert: string; key: string };
  trust_proxy?: string[];
};

export type ListenOptions = {
  /** Addresses or CIDR ranges of proxies whose X-Forwarded-For and -Proto are believed. */
  trustProxy?: string[];
  /** PEM certificate (chain) and key: the console is served over https by itself. */
  tls?: { cert: Buffer; key: Buffer };
};

function server(tls: ListenOptions['tls']) {
  if (!tls) return createHttpServer();
  try {
    return createHttpsServer(tls);
  } catch (e) {
    throw new Error(`web.tls: the certificate and key cannot serve https (${(e as Error).message})`);
  }
}

export function consoleFastify(o: ListenOptions): FastifyInstance {
  const raw = server(o.tls);
  const proxies = o.trustProxy?.length ? o.trustProxy : false;
  try {
    return Fastify({
      logger: false,
      forceCloseConnections: true,
      bodyLimit: 64 * 1024,
      trustProxy: proxies,
      // An https.Server is an http.Server to Fastify; its TLS sockets make req.protocol https.
      serverFactory: (handler) => raw.on('request', handler),
    });
  } catch (e) {
    if (!proxies) throw e;
    // proxy-addr refuses an entry that is no address or range, and names it.
    throw new Error(`web.trust_proxy: ${(e as Error).message}`);
  }
}

function readPem(what: 'cert' | 'key', file: string, base: string): Buffer {
  const path = resolve(base, file);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`web.tls.${what} ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

/** `hubFile`: relative paths are read beside it (else in the working folder). */
export function listenOptions(web: ConsoleWeb, hubFile?: string): ListenOptions {
  const base = hubFile ? dirname(resolve(hubFile)) : process.cwd();
  const tls = web.tls && {
    cert: readPem('cert', web.tls.cert, base),
    key: readPem('key', web.tls.key, base),
  };
  return { trustProxy: web.trust_proxy, tls };
}
