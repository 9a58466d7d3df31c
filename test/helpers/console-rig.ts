// The care console on a real socket, for tests that hold it to what a browser or an attacker
// sees: one or more instances on one database (SQLite or PostgreSQL), a clock the test moves,
// three members of staff, and requests made over HTTP or HTTPS with headers as given.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { closeCall } from '../../cloud-relay/hub/calls.ts';
import { putStaff } from '../../cloud-relay/hub/console/accounts.ts';
import { buildConsole, type ConsoleDeps } from '../../cloud-relay/hub/console/app.ts';
import type { ScryptCost } from '../../cloud-relay/hub/console/password.ts';
import { consoleDb } from '../../cloud-relay/hub/console-tables.ts';
import { type DbTarget, openDb } from '../../cloud-relay/hub/db.ts';
import { LiveFeed } from '../../cloud-relay/hub/live-feed.ts';
import { HubStore } from '../../cloud-relay/hub/store.ts';
import { DEFAULT_OUTCOMES } from '../../config/calls-schema.ts';

export const T0 = Date.parse('2026-03-02T10:00:00Z');
export const PASSWORD = 'correct horse battery';
/** A cheap scrypt for the accounts tests make by the dozen; the hub never uses it. */
export const TEST_COST: ScryptCost = { N: 1024, r: 8, p: 1 };

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A temporary folder, removed once the test is over (made inside a test, unlike tempDir's). */
export function folder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  closers.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export type Rig = {
  /** One address per instance, all on the same database. */
  bases: string[];
  base: string;
  store: HubStore;
  setNow(ms: number): void;
};

type RigOptions = {
  instances?: number;
  trustProxy?: string[];
  /** The console's scrypt cost; TEST_COST unless a test is about the real one (staff are made at TEST_COST). */
  cost?: ScryptCost;
};

export function consoleDeps(store: HubStore, now: () => number, cost?: ScryptCost): ConsoleDeps {
  return {
    store,
    live: new LiveFeed(),
    now,
    timezone: 'Europe/London',
    health: () => ({ ok: true, instance: 'test' }),
    ack: async () => ({ ok: false, status: 404, reason: 'no acks in these tests' }),
    mode: async () => ({ ok: false, status: 404, reason: 'no care modes in these tests' }),
    // Closing with the hub's own code; what it would send a home goes nowhere.
    close: (req) =>
      closeCall(
        { store, now, publish: async () => {}, outcomes: DEFAULT_OUTCOMES.map((o) => ({ ...o })) },
        req,
      ),
    passwordCost: cost,
  };
}

async function openStore(target: DbTarget): Promise<HubStore> {
  const store = new HubStore(openDb(target).db);
  closers.push(() => store.close());
  await store.migrate();
  return store;
}

/** Olive (operator), Carl (carer of r-1) and Ada (admin), with one password. */
export async function addStaff(store: HubStore, cost: ScryptCost = TEST_COST): Promise<void> {
  const db = consoleDb(store.db);
  await putStaff(db, { name: 'olive', role: 'operator', password: PASSWORD, residents: [] }, T0, { cost });
  await putStaff(db, { name: 'carl', role: 'carer', password: PASSWORD, residents: ['r-1'] }, T0, { cost });
  await putStaff(db, { name: 'ada', role: 'admin', password: PASSWORD, residents: [] }, T0, { cost });
}

export async function listening(app: FastifyInstance): Promise<string> {
  closers.push(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export async function consoleRig(target: DbTarget, o: RigOptions = {}): Promise<Rig> {
  let now = T0;
  const cost = o.cost ?? TEST_COST;
  const first = await openStore(target);
  await addStaff(first);
  const bases: string[] = [];
  for (let i = 0; i < (o.instances ?? 1); i++) {
    const store = i === 0 ? first : await openStore(target);
    const deps = consoleDeps(store, () => now, cost);
    closers.push(async () => deps.live.close());
    const app = await buildConsole(deps, { trustProxy: o.trustProxy });
    bases.push(await listening(app));
  }
  return {
    bases,
    base: bases[0] ?? '',
    store: first,
    setNow: (ms) => {
      now = ms;
    },
  };
}

export type Reply = { status: number; headers: IncomingHttpHeaders; body: string };

type Send = {
  method?: string;
  headers?: Record<string, string>;
  form?: Record<string, string>;
  body?: string;
  /** The CA to trust for https. */
  ca?: Buffer;
  /** Resolve once the headers are in and close the connection (an event stream never ends). */
  headersOnly?: boolean;
};

/** One request on its own connection, answered as it came: redirects are not followed. */
export function send(url: string, o: Send = {}): Promise<Reply> {
  const body = o.form ? new URLSearchParams(o.form).toString() : o.body;
  const headers = {
    ...(o.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    ...o.headers,
  };
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'GET', headers, ca: o.ca, agent: false }, (res) => {
      const done = (text: string) =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      if (o.headersOnly) {
        res.destroy();
        done('');
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function signIn(base: string, name: string, password = PASSWORD, o: Send & { next?: string } = {}) {
  return send(`${base}/signin`, {
    ...o,
    method: 'POST',
    form: { name, password, next: o.next ?? '/' },
  });
}

export const cookieOf = (r: Reply): string => {
  const set = r.headers['set-cookie'];
  return (Array.isArray(set) ? set[0] : set) ?? '';
};

/** A self-signed certificate for 127.0.0.1, written as PEM files into `dir`. */
export function selfSigned(dir: string): { cert: string; key: string; ca: Buffer } {
  const cert = join(dir, 'console.crt');
  const key = join(dir, 'console.key');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1'],
    ],
    { stdio: 'pipe' },
  );
  return { cert, key, ca: readFileSync(cert) };
}
