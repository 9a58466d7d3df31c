// Serial devices under `hearth run`, as a technician sets them up: a provisioning file naming
// by-id-like links to real ptys, the simulators (or the test itself) playing the devices, the
// gateway's local broker showing each reading it stored, and its database read after it stops.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type Running, startHearth } from './helpers/cli.ts';
import { freePort } from './helpers/net.ts';
import { openPair, openPty, pointLink } from './helpers/pty.ts';
import { tempDir } from './helpers/tmp.ts';
import { until } from './helpers/until.ts';

const PASSWORD = 'dashboard-test-password';

type Row = Record<string, unknown>;
type Seen = { device: string; kind: string; value: unknown; at: string };

async function gateway(dir: string, devices: Row[]) {
  const port = await freePort();
  const config = {
    version: 1,
    gateway: { id: 'gw-serial', resident: 'r-serial', timezone: 'Europe/London' },
    rooms: ['bedroom', 'lounge'],
    devices,
    rules: {},
    local_broker: {
      listen: [{ host: '127.0.0.1', port }],
      users: [
        { name: 'dashboard', password: '${env:HEARTH_DASHBOARD_PASSWORD}', subscribe: ['hearth/local/#'] },
      ],
    },
    storage: { path: join(dir, 'hearth.db') },
  };
  const file = join(dir, 'home.json');
  writeFileSync(file, JSON.stringify(config));
  const gw = startHearth(['run', '--config', file], { HEARTH_DASHBOARD_PASSWORD: PASSWORD });
  onTestFinished(() => {
    if (gw.child.exitCode === null) gw.child.kill('SIGKILL');
  });
  await gw.waitFor(/gateway running/);

  // The home's dashboard view: every reading the gateway stored, as it stores it.
  const seen: Seen[] = [];
  const client = await mqtt.connectAsync({
    host: '127.0.0.1',
    port,
    username: 'dashboard',
    password: PASSWORD,
    reconnectPeriod: 0,
  });
  onTestFinished(() => client.endAsync(true));
  client.on('message', (_t, payload) => seen.push(JSON.parse(payload.toString()) as Seen));
  await client.subscribeAsync('hearth/local/reading/#', { qos: 0 });
  return { gw, seen, db: join(dir, 'hearth.db') };
}

function simulate(args: string[]): Running {
  const sim = startHearth(['simulate', 'serial', ...args]);
  onTestFinished(() => {
    if (sim.child.exitCode === null) sim.child.kill('SIGKILL');
  });
  return sim;
}

/** The event log, read once the gateway has let go of it. */
function events(db: string): { device: string; kind: string; value: string }[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare('SELECT device, kind, value FROM events ORDER BY id').all() as {
      device: string;
      kind: string;
      value: string;
    }[];
  } finally {
    d.close();
  }
}

async function stop(gw: Running): Promise<void> {
  gw.child.kill('SIGTERM');
  expect((await gw.exited).code).toBe(0);
}

describe('serial devices under hearth run', () => {
  it('stores readings from the simulated Firmata board, radar and JSON-lines board, each on its own pty', async () => {
    const dir = tempDir();
    const pairs = { radar: await openPair(), board: await openPair(), uno: await openPair() };
    const links = {
      radar: join(dir, 'usb-1a86_USB_Serial-if00-port0'),
      board: join(dir, 'usb-custom-if00'),
      uno: join(dir, 'usb-Arduino_Uno_75833-if00'),
    };
    for (const k of ['radar', 'board', 'uno'] as const) pointLink(links[k], pairs[k].ends[1]);
    const sims = [
      simulate([
        '--driver',
        'ld2410',
        '--port',
        pairs.radar.ends[0],
        '--pattern',
        'present 1500ms, absent 1500ms',
      ]),
      simulate([
        '--driver',
        'jsonl',
        '--port',
        pairs.board.ends[0],
        '--sensor',
        'chair1',
        '--kind',
        'chair',
        '--pattern',
        'present 1s, absent 1s',
      ]),
      simulate(['--driver', 'firmata', '--port', pairs.uno.ends[0], '--pattern', 'present 1s, absent 1s']),
    ];
    for (const s of sims) await s.waitFor(/simulating/);

    const { gw, seen, db } = await gateway(dir, [
      { id: 'bedroom-radar', source: 'ld2410', port: links.radar, room: 'bedroom' },
      {
        id: 'chair-pad',
        source: 'jsonl',
        port: links.board,
        sensor: 'chair1',
        kind: 'chair',
        room: 'lounge',
      },
      { id: 'bed-pad', source: 'firmata', port: links.uno, pin: 2, kind: 'bed', room: 'bedroom' },
      { id: 'lounge-pir', source: 'firmata', port: links.uno, pin: 3, kind: 'motion', room: 'lounge' },
    ]);
    const of = (device: string) => seen.filter((s) => s.device === device);
    const kinds = {
      'bedroom-radar': 'presence',
      'chair-pad': 'chair',
      'bed-pad': 'bed',
      'lounge-pir': 'motion',
    };
    const devices = Object.keys(kinds) as (keyof typeof kinds)[];
    await until(
      'both values from each device',
      () => devices.every((d) => new Set(of(d).map((s) => s.value)).size === 2),
      15_000,
    );
    expect(gw.output()).toMatch(/bedroom-radar ready, firmware V\d+\.\d+/);
    for (const d of devices) {
      expect(of(d)[0], d).toMatchObject({ kind: kinds[d] });
      // Each device went both ways, as its pattern does.
      expect(new Set(of(d).map((s) => s.value)), d).toEqual(new Set([true, false]));
    }

    await stop(gw);
    const stored = events(db);
    for (const d of devices)
      expect(stored.filter((e) => e.device === d).length, d).toBeGreaterThanOrEqual(of(d).length);
  }, 30_000);

  it('reconnects a pty closed and opened again under it, and loses no reading after it is back', async () => {
    const dir = tempDir();
    const link = join(dir, 'usb-custom-if00');
    const first = await openPty();
    pointLink(link, first.path);
    const { gw, seen, db } = await gateway(dir, [
      { id: 'chair-pad', source: 'jsonl', port: link, sensor: 'chair1', kind: 'chair', room: 'lounge' },
    ]);
    const opened = () => gw.output().match(/jsonl: port \S+ open/g)?.length ?? 0;
    await until('the port open', () => opened() === 1);
    first.send('{"sensor":"chair1","value":true,"seq":1}\n');
    await until('the first reading', () => seen.length === 1);

    // Unplugged: the pty goes away under the gateway, which says so once.
    first.close();
    await until('the loss noticed', () =>
      /missing chair-pad: port .*(closed|not found|Input\/output)/.test(gw.output()),
    );
    // Plugged in again: a new pty at the same path, as udev re-points a by-id link.
    const second = await openPty();
    const back = Date.now();
    pointLink(link, second.path);
    await until('the port open again', () => opened() === 2, 5_000);
    const reconnectMs = Date.now() - back;

    const lines = 20;
    for (let seq = 2; seq <= lines + 1; seq++)
      second.send(`${JSON.stringify({ sensor: 'chair1', value: seq % 2 === 0, seq })}\n`);
    await until('every reading sent after the return', () => seen.length === lines + 1);
    expect(seen.map((s) => s.value)).toEqual([true, ...Array.from({ length: lines }, (_, i) => i % 2 === 0)]);
    expect(gw.output().match(/missing chair-pad/g)).toHaveLength(1);

    await stop(gw);
    expect(events(db).filter((e) => e.device === 'chair-pad')).toHaveLength(lines + 1);
    console.info(`serial replug: port open again ${reconnectMs} ms after the path came back`);
  }, 30_000);
});
