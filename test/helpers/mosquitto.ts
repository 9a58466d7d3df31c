// A real Mosquitto as the trust broker, for the relay's interop and fault tests: a throwaway
// PKI made with openssl, a TLS listener that wants a client certificate and takes the
// certificate's CN as the user name, an ACL per user, and persistence in a temporary folder, so a
// broker killed and started again on the same port and files is the same broker to its clients.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.ts';
import { requireTool } from './tools.ts';

export type CertPair = { cert: string; key: string };

export type Pki = {
  dir: string;
  /** The CA that signed the broker's certificate and the clients' ones. */
  ca: string;
  server: CertPair;
  /** CN = the gateway id. */
  gateway: CertPair;
  /** CN = trust: the care team's observer. */
  trust: CertPair;
  /** Another CA, which signed nothing the broker knows. */
  otherCa: string;
  /** CN = the gateway id, but signed by the other CA. */
  stranger: CertPair;
  /** More client certificates signed by the CA, by CN: other homes, a probe identity. */
  more: Record<string, CertPair>;
  remove(): void;
};

/** Makes a CA, a server certificate for localhost and client certificates, in a temporary folder. */
export function makePki(gatewayId: string, more: string[] = []): Pki {
  const openssl = requireTool('openssl', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'hearth-pki-'));
  const run = (args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: 'pipe' });
  // Elliptic-curve keys: as good as RSA here and generated in a millisecond.
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string, cn: string) => {
    run([
      'req',
      '-x509',
      ...ecKey,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return join(dir, `${name}.crt`);
  };
  const leaf = (name: string, cn: string, signer: string, ext: string): CertPair => {
    run(['req', '-new', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    run([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${signer}.crt`,
      '-CAkey',
      `${signer}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ]);
    return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  };
  const client = 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth';
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const caFile = ca('ca', 'Hearth test CA');
    const otherCa = ca('other-ca', 'Some other CA');
    return {
      dir,
      ca: caFile,
      server: leaf(
        'server',
        'localhost',
        'ca',
        'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1',
      ),
      gateway: leaf('gateway', gatewayId, 'ca', client),
      trust: leaf('trust', 'trust', 'ca', client),
      otherCa,
      stranger: leaf('stranger', gatewayId, 'other-ca', client),
      more: Object.fromEntries(more.map((cn, i) => [cn, leaf(`more-${i}`, cn, 'ca', client)])),
      remove,
    };
  } catch (err) {
    remove();
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl failed making the test certificates: ${(err as Error).message}\n${stderr}`);
  }
}

export type Mosquitto = {
  port: number;
  url: string;
  dir: string;
  /** Everything Mosquitto logged, over every start. */
  log(): string;
  /** Resolves when the log (from any start) matches. */
  waitForLog(re: RegExp, limitMs?: number): Promise<string>;
  running(): boolean;
  /** Starts it (again: same port, same files) and resolves once it listens. */
  start(): Promise<void>;
  /** SIGKILL: no goodbye, nothing saved since the last autosave. */
  kill(): Promise<void>;
  /** SIGTERM: a clean stop, the persistence file written. */
  stop(): Promise<void>;
  /** Stops it if it runs and removes its folder. */
  remove(): Promise<void>;
};

/**
 * The ACL the README asks of a trust: each home (its certificate's CN is its user name) writes
 * only its own topics and reads only its own commands and receipts; the hub (CN trust) reads and
 * writes all.
 */
export const TRUST_ACL = [
  'pattern write hearth/v1/%u/#',
  'pattern read hearth/v1/%u/cmd/#',
  'pattern read hearth/v1/%u/receipt',
  '',
  'user trust',
  'topic readwrite hearth/#',
  '',
].join('\n');

/** A broker that lets every certificate write and read every home's topics: the wall missing. */
export const OPEN_ACL = 'pattern readwrite hearth/#\n';

/**
 * A Mosquitto for the gateway `gatewayId` and the `trust` user, not yet started. Nothing to do
 * with the system's Mosquitto service: its own configuration, port, folder and process.
 * `acl`: the ACL file's text instead of one for that gateway and the trust.
 */
export async function mosquitto(pki: Pki, gatewayId: string, o: { acl?: string } = {}): Promise<Mosquitto> {
  const bin = requireTool('mosquitto', 'mosquitto');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-mosquitto-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(
    join(dir, 'acl'),
    o.acl ??
      [
        `user ${gatewayId}`,
        `topic write hearth/v1/${gatewayId}/#`,
        `topic read hearth/v1/${gatewayId}/cmd/#`,
        `topic read hearth/v1/${gatewayId}/receipt`,
        '',
        'user trust',
        'topic readwrite hearth/#',
        '',
      ].join('\n'),
  );
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      // Run as root (a container, CI), Mosquitto would switch to the `mosquitto` user, which
      // cannot read these files; as anyone else this line does nothing.
      `user ${userInfo().username}`,
      'per_listener_settings false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      'log_type subscribe',
      'connection_messages true',
      'log_timestamp true',
      'persistence true',
      `persistence_location ${join(dir, 'data')}/`,
      // Mosquitto acknowledges a QoS 1 message (PUBACK) once it is in its memory, and writes its
      // memory to disk only at a clean stop or an autosave: a SIGKILL loses whatever it had
      // acknowledged and not yet handed to the subscriber. With the default of 20 messages in
      // flight per subscriber the rest wait in that memory (about a hundred were lost per kill
      // in a fast drain); with no limit each message is written to the subscriber's socket before
      // the PUBACK goes back, and no queue limit drops anything acknowledged either.
      'max_inflight_messages 0',
      'max_queued_messages 0',
      `acl_file ${join(dir, 'acl')}`,
      'allow_anonymous false',
      `listener ${port} 127.0.0.1`,
      `cafile ${pki.ca}`,
      `certfile ${pki.server.cert}`,
      `keyfile ${pki.server.key}`,
      'require_certificate true',
      'use_identity_as_username true',
      '',
    ].join('\n'),
  );

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let text = '';
  const waiters = new Set<() => void>();
  const feed = (chunk: Buffer) => {
    text += chunk.toString();
    for (const w of [...waiters]) w();
  };

  const waitForLog = (re: RegExp, limitMs = 10_000, from = 0): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const m = re.exec(text.slice(from));
        if (!m) return false;
        done();
        resolve(m[0]);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`mosquitto logged no ${re} within ${limitMs} ms:\n${text.slice(-4000)}`));
      }, limitMs);
      const w = () => void check();
      const done = () => {
        clearTimeout(timer);
        waiters.delete(w);
      };
      if (!check()) waiters.add(w);
    });

  const signal = async (sig: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill(sig);
    await exited;
  };

  return {
    port,
    url: `mqtts://localhost:${port}`,
    dir,
    log: () => text,
    waitForLog: (re, limitMs) => waitForLog(re, limitMs),
    running: () => child !== null && child.exitCode === null && child.signalCode === null,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) throw new Error('already running');
      const from = text.length;
      const c = spawn(bin, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      c.stdout?.on('data', feed);
      c.stderr?.on('data', feed);
      exited = new Promise((resolve) => c.once('close', () => resolve()));
      const died = exited.then(() => {
        throw new Error(
          `mosquitto exited (${c.exitCode ?? c.signalCode}) while starting:\n${text.slice(from)}`,
        );
      });
      died.catch(() => {});
      // "running" is logged once every listener is open.
      await Promise.race([waitForLog(/mosquitto version \S+ running/, 10_000, from), died]);
    },
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
    async remove() {
      await signal('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
