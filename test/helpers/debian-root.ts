// A fresh Debian 12 root booted under systemd (systemd-nspawn -b), for testing the install as a
// technician meets it. The debootstrapped root is made once and kept in the temporary folder;
// each test boots its own copy of it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { requireTool } from './tools.ts';
import { until } from './until.ts';

const MIRROR = 'http://deb.debian.org/debian';
// minbase and what a booted, administered machine has: systemd as init, D-Bus, sudo. No procps,
// no compiler, no Node: the install must bring or refuse what it needs.
const INCLUDE = 'systemd,systemd-sysv,dbus,sudo';
const CACHE = join(tmpdir(), 'hearth-debian12-root');
const DONE = join(CACHE, '.hearth-complete');

export type Run = { code: number | null; out: string };
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A quick command on the host (a copy, a link), which must succeed. */
function must(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

/** The cached bookworm root, debootstrapped on first use (about 2 minutes). */
async function baseRoot(): Promise<string> {
  if (existsSync(DONE)) return CACHE;
  const debootstrap = requireTool('debootstrap', 'debootstrap');
  rmSync(CACHE, { recursive: true, force: true });
  const r = await runAsync(debootstrap, [
    '--variant=minbase',
    `--include=${INCLUDE}`,
    'bookworm',
    CACHE,
    MIRROR,
  ]);
  if (r.code !== 0) throw new Error(`debootstrap failed (${r.code}):\n${r.out.slice(-4000)}`);
  writeFileSync(DONE, '');
  return CACHE;
}

export type Booted = {
  root: string;
  /** Runs a command inside the booted machine, as root, in a clean environment; its exit and output. */
  exec: (command: string, opts?: { cwd?: string; env?: Record<string, string> }) => Promise<Run>;
  stop: () => Promise<void>;
};

/** A command run to its end without blocking the test's event loop (an install takes minutes). */
function runAsync(cmd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', (e) => resolve({ code: null, out: `${out}${String(e)}` }));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/**
 * A copy of the cached root with this Node (binary, npm and headers, laid out as NodeSource's
 * package lays them out) and `files` ([path in the root, text]) in it, booted. GitHub is made
 * unreachable from inside, as on a trust's network.
 */
export async function bootDebian(name: string, o: Contents = {}): Promise<Booted> {
  if (process.getuid?.() !== 0) throw new Error('this test needs root (debootstrap, systemd-nspawn)');
  const nspawn = requireTool('systemd-nspawn', 'systemd-container');
  requireTool('nsenter', 'util-linux');
  const base = await baseRoot();
  const root = join(tmpdir(), `hearth-${name}-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  try {
    prepare(base, root, name, o);
    return await start(nspawn, root, name);
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

type Contents = { files?: [string, string][]; copy?: { from: string; paths: string[]; to: string } };

function prepare(base: string, root: string, name: string, o: Contents): void {
  must('cp', ['-a', '--reflink=auto', base, root]);
  rmSync(join(root, '.hearth-complete'));

  const node = realpathSync(process.execPath);
  const prefix = dirname(dirname(node));
  const npm = join(prefix, 'lib/node_modules/npm');
  must('install', ['-D', node, join(root, 'usr/bin/node')]);
  must('mkdir', ['-p', join(root, 'usr/lib/node_modules'), join(root, 'usr/include')]);
  must('cp', ['-a', npm, join(root, 'usr/lib/node_modules/npm')]);
  must('ln', ['-sf', '../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/bin/npm')]);
  must('ln', ['-sf', '../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/bin/npx')]);
  if (existsSync(join(prefix, 'include/node')))
    must('cp', ['-a', join(prefix, 'include/node'), join(root, 'usr/include/')]);
  // minbase has no /etc/hosts (netbase is not in it).
  const hosts = join(root, 'etc/hosts');
  const blocked = ['github.com', 'objects.githubusercontent.com', 'release-assets.githubusercontent.com'];
  const before = existsSync(hosts) ? readFileSync(hosts, 'utf8') : '127.0.0.1 localhost\n';
  writeFileSync(hosts, `${before}0.0.0.0 ${blocked.join(' ')}\n127.0.1.1 ${name}\n`);
  // debootstrap copied this machine's name; the booted one has its own, so sudo finds it in hosts.
  writeFileSync(join(root, 'etc/hostname'), `${name}\n`);
  // Behind a TLS-inspecting proxy this machine trusts an extra CA; so must the booted one's npm,
  // as its administrator would have set it (sudo keeps no NODE_EXTRA_CA_CERTS, npm reads ~/.npmrc).
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  if (extraCa && existsSync(extraCa)) {
    must('install', ['-D', '-m', '0644', extraCa, join(root, 'etc/ssl/certs/site-ca.pem')]);
    writeFileSync(join(root, 'root/.npmrc'), 'cafile=/etc/ssl/certs/site-ca.pem\n');
  }
  if (o.copy) {
    const to = join(root, o.copy.to);
    must('mkdir', ['-p', to]);
    const tar = spawnSync('tar', ['-C', o.copy.from, '--null', '-T', '-', '-cf', '-'], {
      input: o.copy.paths.map((p) => `${p}\0`).join(''),
      maxBuffer: 1024 * 1024 * 1024,
    });
    if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
    const untar = spawnSync('tar', ['-C', to, '-xf', '-'], { input: tar.stdout });
    if (untar.status !== 0) throw new Error(`tar: ${untar.stderr}`);
  }
  for (const [path, text] of o.files ?? []) {
    must('mkdir', ['-p', dirname(join(root, path))]);
    writeFileSync(join(root, path), text, { mode: path.startsWith('usr/local/bin/') ? 0o755 : 0o644 });
  }
}

async function start(nspawn: string, root: string, name: string): Promise<Booted> {
  // Without systemd on the host (a container, a CI runner), nspawn may not register the machine
  // or make a scope unit of its own.
  const hostSystemd = existsSync('/run/systemd/system');
  const args = [
    '-q',
    '-b',
    '-D',
    root,
    `--machine=${name}`,
    '--register=no',
    ...(hostSystemd ? [] : ['--keep-unit']),
  ];
  const child: ChildProcess = spawn(nspawn, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let console = '';
  child.stdout?.on('data', (b: Buffer) => (console += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (console += b.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  // The machine's init is nspawn's only child.
  const children = () => {
    try {
      return readdirSync(`/proc/${child.pid}/task`).flatMap((t) =>
        readFileSync(`/proc/${child.pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean),
      );
    } catch {
      return [];
    }
  };
  await until('the machine started', () => gone || children().length > 0, 60_000);
  if (gone) throw new Error(`systemd-nspawn exited:\n${console}`);
  const leader = children()[0] as string;
  // SIGTERM asks the machine to power off; one still up a minute later loses its init, and with
  // it everything in its PID namespace.
  const stop = async () => {
    child.kill('SIGTERM');
    const late = setTimeout(() => process.kill(Number(leader), 'SIGKILL'), 60_000);
    await exited;
    clearTimeout(late);
  };

  const exec: Booted['exec'] = (command, opts = {}) => {
    const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const inner = opts.cwd ? `cd ${opts.cwd} && ${command}` : command;
    return runAsync('nsenter', [
      ...['-t', leader, '-a', '--', '/usr/bin/env', '-i', `PATH=${PATH}`, 'HOME=/root', 'LANG=C.UTF-8'],
      ...[...env, '/bin/bash', '-c', inner],
    ]);
  };
  // `--wait` answers "offline" until systemd's bus is up, so it is asked again until then.
  const boot = await exec(
    'for i in $(seq 1200); do s=$(systemctl is-system-running --wait 2>/dev/null); [ "$s" = offline ] || [ -z "$s" ] || break; sleep 0.05; done; echo "$s"',
  );
  if (!/running|degraded/.test(boot.out)) {
    await stop();
    throw new Error(`the machine did not boot: ${boot.out}\n${console}`);
  }
  return {
    root,
    exec,
    stop: async () => {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
