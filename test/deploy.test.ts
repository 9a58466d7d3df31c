// The service as systemd runs it: the unit passes systemd's own checks, and the gateway speaks
// the notify protocol on a real NOTIFY_SOCKET: READY=1 once up, WATCHDOG=1 only while healthy.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/log.ts';
import { notifyFromEnv } from '../gateway/notify.ts';
import { Store } from '../gateway/store/store.ts';
import { startWatchdog } from '../gateway/watchdog.ts';
import { ROOT, startHearth } from './helpers/cli.ts';
import { homeFile } from './helpers/home-file.ts';
import { notifySocket } from './helpers/notify-socket.ts';
import { tempDir } from './helpers/tmp.ts';
import { requireTool } from './helpers/tools.ts';
import { until } from './helpers/until.ts';

const UNIT = join(ROOT, 'gateway/deploy/hearth.service');
const INSTALL = join(ROOT, 'gateway/deploy/install.sh');
const quiet = createLogger({ level: 'silent' });
const texts = (r: { text: string }[]) => r.map((m) => m.text);

describe('the systemd unit and the install script', () => {
  it('passes systemd-analyze verify with no warning', () => {
    const analyze = requireTool('systemd-analyze', 'systemd');
    const dir = tempDir();
    // As install.sh does: the unit names this checkout and this node instead of /opt/hearth.
    const unit = readFileSync(UNIT, 'utf8')
      .replaceAll('/opt/hearth', ROOT.replace(/\/$/, ''))
      .replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `);
    writeFileSync(join(dir, 'hearth.service'), unit);
    const r = spawnSync(analyze, ['verify', join(dir, 'hearth.service')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const line of [
      'Type=notify',
      'Restart=always',
      'ProtectSystem=strict',
      'NoNewPrivileges=yes',
      'PrivateTmp=yes',
    ])
      expect(unit).toContain(line);
    expect(unit).toMatch(/^WatchdogSec=\d+s$/m);
    // The secrets' file the install script creates, and a reload that needs no procps.
    expect(unit).toMatch(/^EnvironmentFile=-\/etc\/hearth\/secrets\.env$/m);
    expect(unit).toMatch(/^ExecReload=\/bin\/sh -c 'kill -HUP \$MAINPID'$/m);
    expect(unit).toMatch(/^ReadWritePaths=\/var\/lib\/hearth$/m);
  });

  it('has an install script bash accepts', () => {
    const r = spawnSync('bash', ['-n', INSTALL], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('the notify protocol', () => {
  it('hearth run says READY=1 once running, pings the watchdog, and STOPPING=1 on SIGTERM', async () => {
    const dir = tempDir();
    const sock = await notifySocket(dir);
    const home = await homeFile(dir);
    const gw = startHearth(['run', '--config', home.file], {
      ...home.env,
      NOTIFY_SOCKET: sock.path,
      WATCHDOG_USEC: '400000',
    });
    await gw.waitFor(/gateway running/);
    await until(
      'three watchdog pings',
      () => texts(sock.received()).filter((t) => t === 'WATCHDOG=1').length >= 3,
    );
    const first = texts(sock.received())[0];
    expect(first).toBe('READY=1\nSTATUS=running');
    gw.child.kill('SIGTERM');
    expect((await gw.exited).code).toBe(0);
    await until('STOPPING=1', () => texts(sock.received()).includes('STOPPING=1'));
  });

  it('sends no ping while the event loop is blocked, and pings again once it is free', async () => {
    const dir = tempDir();
    const sock = await notifySocket(dir);
    const store = Store.open(join(dir, 'hearth.db'));
    const notify = notifyFromEnv(
      { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '100000', PATH: process.env.PATH },
      quiet,
    );
    const dog = startWatchdog({
      notify,
      log: quiet,
      probe: { db: () => store.probe(), nextWake: () => null, now: () => Date.now() },
    });
    const pings = () => sock.received().filter((m) => m.text === 'WATCHDOG=1');
    await until('pings before the block', () => pings().length >= 3);
    const from = Date.now();
    // Blocks the loop as a stuck synchronous call would.
    while (Date.now() - from < 1_500) {}
    const to = Date.now();
    const before = pings().length;
    await until('a ping after the block', () => pings().length > before);
    // Whatever was already on its way when the loop stopped may land just after; nothing later.
    expect(pings().filter((m) => m.at > from + 200 && m.at < to)).toEqual([]);
    dog.stop();
    notify.close();
    store.close();
  });

  it('stops pinging when the database stops answering or the rule timer is late, saying why', async () => {
    const dir = tempDir();
    const sock = await notifySocket(dir);
    const store = Store.open(join(dir, 'hearth.db'));
    const notify = notifyFromEnv(
      { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '100000', PATH: process.env.PATH },
      quiet,
    );
    let wake: number | null = null;
    const dog = startWatchdog({
      notify,
      log: quiet,
      probe: { db: () => store.probe(), nextWake: () => wake, now: () => Date.now() },
    });
    await until('a first ping', () => texts(sock.received()).includes('WATCHDOG=1'));
    wake = Date.now() - 60_000;
    await until('the late timer named', () =>
      texts(sock.received()).some((t) => /STATUS=unhealthy: rule timer 6\d s late/.test(t)),
    );
    let n = sock.received().length;
    wake = null;
    await until('pings again', () =>
      sock
        .received()
        .slice(n)
        .some((m) => m.text === 'WATCHDOG=1\nSTATUS=running'),
    );
    store.close();
    n = sock.received().length;
    await until('the database named', () =>
      texts(sock.received().slice(n)).some((t) => t.startsWith('STATUS=unhealthy: database not answering')),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(texts(sock.received().slice(n))).not.toContain('WATCHDOG=1');
    dog.stop();
    notify.close();
  });
});
