// A throwaway PostgreSQL cluster for the hub's tests and its benchmark: Debian's server binaries,
// a temporary folder holding data and socket, a free port on 127.0.0.1. Run as root (a
// container, CI), the server would refuse to start, so it runs as the unprivileged `nobody`
// through setpriv. For the failover tests its server can be stopped (fast, or its postmaster
// killed) and started again on the same data and port, and it can make a streaming replica.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.ts';

/** How a server goes: a fast shutdown (SIGINT), or its postmaster killed outright (SIGKILL). */
export type StopMode = 'fast' | 'kill';

export type Postgres = {
  port: number;
  /** A URL for a new, empty database of this cluster. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and keeps its data, for `restart`. */
  halt(mode: StopMode): Promise<void>;
  /** Starts a new postmaster on the same data and port; resolves once it accepts connections. */
  restart(): Promise<void>;
  /**
   * A streaming replica of this cluster (pg_basebackup -R) on a port of its own, running;
   * `synchronous`: this cluster's commits then wait for it (synchronous_standby_names = '*').
   */
  replica(o?: { synchronous?: boolean }): Promise<Replica>;
  stop(): Promise<void>;
};

export type Replica = {
  port: number;
  /** `pg_ctl promote`; resolves once it takes writes. */
  promote(): Promise<void>;
  stop(): Promise<void>;
};

const NOBODY = 65534;

function serverBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0])
    throw new Error('PostgreSQL server binaries not found: install postgresql (apt-get install postgresql)');
  return join(root, versions[0], 'bin');
}

/** A server program of the installed version, or an error naming the package that has it. */
function tool(bin: string, name: string): string {
  const path = join(bin, name);
  if (!existsSync(path))
    throw new Error(`${name} not found in ${bin}: install postgresql (apt-get install postgresql)`);
  return path;
}

/** Runs as `nobody` when we are root; as ourselves otherwise. */
function asUser(cmd: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [cmd, args];
  const setpriv = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).stdout.trim();
  if (!setpriv) throw new Error("setpriv is not installed: install Debian's util-linux");
  return [setpriv, [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', cmd, ...args]];
}

function run(what: string, cmd: string, args: string[]): void {
  const [c, a] = asUser(cmd, args);
  try {
    execFileSync(c, a, { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`${what} failed: ${(e as { stderr?: Buffer }).stderr?.toString() ?? e}`);
  }
}

type Postmaster = { child: ChildProcess; exited: Promise<void>; log: () => string };

/** Whether a server on `port` answers, and (when `writable`) is out of recovery. */
async function answers(port: number, writable: boolean): Promise<boolean> {
  const c = new pg.Client({ connectionString: `postgres://hearth@127.0.0.1:${port}/postgres` });
  c.on('error', () => {});
  try {
    await c.connect();
    if (!writable) return true;
    const r = await c.query('select pg_is_in_recovery() as standby');
    return r.rows[0]?.standby === false;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * Starts a postmaster on `data` and waits until it answers. A postmaster killed outright leaves
 * its backends to notice and exit, and a new one refuses the data until they have: it is tried
 * again until `deadline`.
 */
async function postmaster(bin: string, data: string, port: number, settings: string[]): Promise<Postmaster> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [cmd, args] = asUser(join(bin, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      ...settings.flatMap((s) => ['-c', s]),
    ]);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    const exited = new Promise<void>((r) => child.once('close', () => r()));
    for (;;) {
      if (await answers(port, false)) return { child, exited, log: () => log };
      if (child.exitCode !== null || child.signalCode !== null) break;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        await exited;
        throw new Error(`postgres did not start:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await exited;
    if (Date.now() > deadline || !/shared memory block|lock file .* already exists/.test(log))
      throw new Error(`postgres did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Makes the primary's commits wait for any standby; resolves once one streams synchronously. */
async function synchronous(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("alter system set synchronous_standby_names = '*'");
    await c.query('select pg_reload_conf()');
    const deadline = Date.now() + 30_000;
    while ((await c.query("select 1 from pg_stat_replication where sync_state = 'sync'")).rowCount === 0) {
      if (Date.now() > deadline) throw new Error('the replica did not become synchronous');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await c.end();
  }
}

async function halt(p: Postmaster, mode: StopMode): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null)
    p.child.kill(mode === 'fast' ? 'SIGINT' : 'SIGKILL');
  await p.exited;
}

/**
 * `durable`: fsync as a production server does, for figures that mean something. Otherwise off:
 * nothing in a test's cluster must survive the machine.
 */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<Postgres> {
  const bin = serverBin();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-pg-'));
  if (process.getuid?.() === 0) chownSync(dir, NOBODY, NOBODY);
  const data = join(dir, 'data');
  try {
    run('initdb', join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'hearth',
      '-A',
      'trust',
      '--no-locale',
      '-E',
      'UTF8',
    ]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const port = await freePort();
  const settings = [
    'listen_addresses=127.0.0.1',
    `unix_socket_directories=${dir}`,
    ...(opts.durable ? [] : ['fsync=off', 'full_page_writes=off']),
    'max_connections=200',
  ];
  let server: Postmaster;
  try {
    server = await postmaster(bin, data, port, settings);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const replicas: Replica[] = [];
  const base = `postgres://hearth@127.0.0.1:${port}`;
  return {
    port,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: `${base}/postgres` });
      await c.connect();
      await c.query(`create database "${name}"`);
      await c.end();
      return `${base}/${name}`;
    },
    halt: (mode) => halt(server, mode),
    async restart() {
      server = await postmaster(bin, data, port, settings);
    },
    async replica(o = {}) {
      const copy = join(dir, `replica${replicas.length + 1}`);
      // -c fast: else it waits for a spread checkpoint, minutes on an idle cluster.
      run('pg_basebackup', tool(bin, 'pg_basebackup'), [
        ...[
          '-D',
          copy,
          '-R',
          '-X',
          'stream',
          '-c',
          'fast',
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          '-U',
          'hearth',
        ],
      ]);
      const rport = await freePort();
      const standby = await postmaster(bin, copy, rport, settings);
      // Set after the copy was taken: a promoted replica that had it would wait for a standby of
      // its own, and no commit of it would ever return.
      if (o.synchronous) await synchronous(`${base}/postgres`);
      const r: Replica = {
        port: rport,
        async promote() {
          run('pg_ctl promote', tool(bin, 'pg_ctl'), ['promote', '-w', '-D', copy]);
          const until = Date.now() + 30_000;
          while (!(await answers(rport, true))) {
            if (Date.now() > until) throw new Error(`the replica was not promoted:\n${standby.log()}`);
            await new Promise((res) => setTimeout(res, 50));
          }
        },
        stop: () => halt(standby, 'fast'),
      };
      replicas.push(r);
      return r;
    },
    async stop() {
      for (const r of replicas) await r.stop();
      await halt(server, 'fast');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
