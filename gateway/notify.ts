// systemd's notify protocol (sd_notify(3)): READY=1, WATCHDOG=1, STATUS=..., STOPPING=1 as
// datagrams on the unix socket named by $NOTIFY_SOCKET.
//
// Node cannot send unix datagrams (node:dgram is UDP only, node:net is streams only), and a
// native module is one more thing to build on every Pi. Running `systemd-notify` per message is
// not dependable: systemd attributes a datagram to the unit by looking up the sender's cgroup,
// and a sender that has already exited is not found, so the message is dropped even with
// NotifyAccess=all (sd_notify(3), "Notes"). So one small sender lives as long as the gateway: a
// Perl one-liner reading messages from its stdin. Perl's Socket module is in perl-base, which is
// Essential on Debian and Raspberry Pi OS: nothing to install. The unit says NotifyAccess=all,
// as messages come from this child and not from the main PID.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from '../core/log.ts';

const SENDER = String.raw`
use strict; use Socket;
my $p = $ENV{NOTIFY_SOCKET}; $p =~ s/^@/\0/;
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "notify socket: $!\n";
my $to = pack_sockaddr_un($p);
$/ = "\0";
while (my $m = <STDIN>) { chomp $m; send($s, $m, 0, $to) or warn "notify: $!\n"; }
`;

export type Notify = {
  /** Sends one message: KEY=VALUE lines, e.g. "READY=1\nSTATUS=running". */
  send(message: string): void;
  /** The watchdog period systemd asked for (WATCHDOG_USEC), when it asked this process. */
  watchdogMs: number | null;
  close(): void;
};

/** A notifier that does nothing: not started by systemd (a terminal, a test, the demo). */
const NONE: Notify = { send: () => {}, watchdogMs: null, close: () => {} };

export function notifyFromEnv(env: NodeJS.ProcessEnv, log: Logger, pid = process.pid): Notify {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return NONE;
  const usec = Number(env.WATCHDOG_USEC);
  // WATCHDOG_PID names the process systemd expects pings from; absent means this one.
  const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === pid;
  const watchdogMs = Number.isFinite(usec) && usec > 0 && forUs ? usec / 1000 : null;

  let child: ChildProcess | null = null;
  const sender = (): ChildProcess => {
    const c = spawn('perl', ['-e', SENDER], {
      env: { PATH: env.PATH ?? '/usr/bin:/bin', NOTIFY_SOCKET: socket },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    c.stderr?.on('data', (b: Buffer) => log.warn({ detail: b.toString().trim() }, 'systemd notify failed'));
    c.on('error', (err) => log.error({ err: err.message }, 'cannot start the systemd notify sender (perl)'));
    // A broken pipe to a dead sender is reported by 'exit' below, not thrown.
    c.stdin?.on('error', () => {});
    c.on('exit', (code) => {
      if (child === c) child = null;
      if (code) log.warn({ code }, 'systemd notify sender exited; a new one starts with the next message');
    });
    // The sender must never keep a finished gateway alive.
    c.unref();
    (c.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    (c.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    return c;
  };
  return {
    watchdogMs,
    send: (message) => {
      child ??= sender();
      child.stdin?.write(`${message.replaceAll('\0', '')}\0`);
    },
    close: () => {
      child?.stdin?.end();
      child = null;
    },
  };
}
