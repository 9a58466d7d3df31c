// The jsonl and LD2410 drivers on the real serialport stack over real pseudo-terminals: a small
// python3 helper owns the pty master, the driver opens the slave through a by-id-like symlink.

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlDriver } from '../firmware-bridge/serial/jsonl-driver.ts';
import { REPORT_FOOTER, REPORT_HEADER } from '../firmware-bridge/serial/ld2410/codec.ts';
import { Ld2410Driver } from '../firmware-bridge/serial/ld2410-driver.ts';
import { SerialPorts } from '../firmware-bridge/serial/port.ts';
import { driverContext } from './helpers/driver-context.ts';
import { tempDir } from './helpers/tmp.ts';
import { until as untilWithin } from './helpers/until.ts';

// Opens a raw pty pair, prints "PTY <slave>", relays stdin to the master and the master's
// output to stdout as "W <hex>" lines. Keeps a slave fd open so the master never sees EIO.
const HELPER = `
import os, pty, select, sys, tty
m, s = pty.openpty()
tty.setraw(s)
sys.stdout.write("PTY " + os.ttyname(s) + "\\n"); sys.stdout.flush()
while True:
    r, _, _ = select.select([0, m], [], [])
    if 0 in r:
        b = os.read(0, 4096)
        if not b: break
        os.write(m, b)
    if m in r:
        try: b = os.read(m, 4096)
        except OSError: continue
        sys.stdout.write("W " + b.hex() + "\\n"); sys.stdout.flush()
`;

/** These waits have eight seconds each. */
const until = (what: string, ok: () => boolean) => untilWithin(what, ok, 8_000);

type Pty = { child: ChildProcessWithoutNullStreams; path: string; written: () => string };

const helpers: ChildProcessWithoutNullStreams[] = [];
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  for (const c of helpers.splice(0)) c.kill('SIGKILL');
});

function openPty(): Promise<Pty> {
  const child = spawn('python3', ['-u', '-c', HELPER]);
  helpers.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /^PTY (\S+)\n/.exec(out);
      if (m?.[1]) resolve({ child, path: m[1], written: () => out });
    });
  });
}

/** Points `link` at `target` atomically, as udev re-points /dev/serial/by-id on replug. */
function pointLink(link: string, target: string): void {
  const tmp = `${link}.new`;
  symlinkSync(target, tmp);
  renameSync(tmp, link);
}

/** A basic-mode report frame: target state and distances as the radar sends them. */
function report(state: 0 | 1 | 2 | 3): Buffer {
  const payload = [0x02, 0xaa, state, 0x78, 0x00, 0x32, 0x96, 0x00, 0x28, 0xa0, 0x00, 0x55, 0x00];
  return Buffer.from([...REPORT_HEADER, payload.length, 0x00, ...payload, ...REPORT_FOOTER]);
}

describe('jsonl driver', () => {
  it('turns good lines into readings; bad JSON, unknown sensors and wrong types are counted', async () => {
    const pty = await openPty();
    const link = join(tempDir(), 'usb-custom-if00');
    pointLink(link, pty.path);
    const { ctx, readings, statuses } = driverContext();
    const driver = new JsonlDriver(
      [
        { id: 'chair-pad', port: link, sensor: 'chair1', kind: 'chair', baud: 115200 },
        { id: 'hall-temp', port: link, sensor: 'temp1', kind: 'temperature', baud: 115200 },
      ],
      new SerialPorts(ctx, 500),
      ctx,
    );
    stops.push(() => driver.stop());
    await driver.start();
    await until('port open', () => statuses.some((s) => s.present));
    pty.child.stdin.write(
      [
        '{"sensor":"chair1","kind":"chair","value":true,"seq":1}',
        '{"sensor":"chair1",',
        'garbage',
        '{"sensor":"nobody","kind":"chair","value":true}',
        '{"sensor":"chair1","kind":"chair","value":"yes","seq":2}',
        '{"sensor":"temp1","kind":"temperature","value":21.5}',
        '{"sensor":"chair1","kind":"battery","value":88,"seq":5}',
        '{"sensor":"chair1","kind":"chair","value":false,"seq":6}\r',
        '',
      ].join('\n'),
    );
    await until('readings', () => readings.length >= 4);
    expect(readings.map((r) => [r.device, r.kind, r.value])).toEqual([
      ['chair-pad', 'chair', true],
      ['hall-temp', 'temperature', 21.5],
      ['chair-pad', 'battery', 88],
      ['chair-pad', 'chair', false],
    ]);
    expect(driver.counters).toMatchObject({ readings: 4, invalid: 3, unknownSensor: 1, seqGaps: 1 });
    expect(statuses).toEqual([
      {
        source: 'jsonl',
        devices: ['chair-pad', 'hall-temp'],
        present: true,
        detail: `port ${link} open at 115200 baud`,
      },
    ]);
  });

  it('reconnects by itself when the pty goes away and a new one appears at the same path', async () => {
    const first = await openPty();
    const link = join(tempDir(), 'usb-custom-if00');
    pointLink(link, first.path);
    const { ctx, readings, statuses } = driverContext();
    const ports = new SerialPorts(ctx, 500);
    const driver = new JsonlDriver(
      [{ id: 'chair-pad', port: link, sensor: 'chair1', kind: 'chair', baud: 115200 }],
      ports,
      ctx,
    );
    stops.push(() => driver.stop());
    await driver.start();
    await until('port open', () => statuses.length === 1);
    first.child.stdin.write('{"sensor":"chair1","value":true}\n');
    await until('first reading', () => readings.length === 1);

    first.child.kill('SIGKILL');
    await until('missing reported', () => statuses.length === 2);
    expect(statuses[1]).toMatchObject({ present: false, devices: ['chair-pad'] });

    const second = await openPty();
    pointLink(link, second.path);
    await until('reconnected', () => statuses.length === 3);
    expect(statuses.map((s) => s.present)).toEqual([true, false, true]);
    second.child.stdin.write('{"sensor":"chair1","value":false}\n');
    await until('reading after return', () => readings.length === 2);
    expect(readings.map((r) => r.value)).toEqual([true, false]);
    expect(driver.health()).toMatchObject([{ present: true }]);
  });

  it('reports a port that is not there once, and opens it when it appears', async () => {
    const link = join(tempDir(), 'usb-later-if00');
    const { ctx, readings, statuses } = driverContext();
    const driver = new JsonlDriver(
      [{ id: 'chair-pad', port: link, sensor: 'chair1', kind: 'chair', baud: 9600 }],
      new SerialPorts(ctx, 300),
      ctx,
    );
    stops.push(() => driver.stop());
    await driver.start();
    expect(statuses).toEqual([
      { source: 'jsonl', devices: ['chair-pad'], present: false, detail: `port ${link} not found` },
    ]);
    const pty = await openPty();
    pointLink(link, pty.path);
    await until('opened', () => statuses.length === 2);
    pty.child.stdin.write('{"sensor":"chair1","value":true}\n');
    await until('reading', () => readings.length === 1);
    expect(statuses.map((s) => s.present)).toEqual([false, true]);
  });
});

describe('ld2410 driver', () => {
  it('configures the radar at open and reports presence on change, once held for a second', async () => {
    const pty = await openPty();
    const link = join(tempDir(), 'usb-radar-if00');
    pointLink(link, pty.path);
    const { ctx, readings, statuses } = driverContext();
    const driver = new Ld2410Driver(
      [{ id: 'bedroom-radar', port: link, baud: 256000 }],
      new SerialPorts(ctx),
      ctx,
    );
    stops.push(() => driver.stop());
    await driver.start();
    await until('port open', () => statuses.some((s) => s.present));
    // enableConfiguration, enableEngineering, endConfiguration, in that order.
    await until('all three commands', () => (pty.written().match(/04030201/g) ?? []).length >= 3);
    const hex = pty
      .written()
      .replace(/^PTY .*\n/, '')
      .replace(/W |\n/g, '');
    expect(hex).toBe(
      'fdfcfbfa0400ff00010004030201' + 'fdfcfbfa0200620004030201' + 'fdfcfbfa0200fe0004030201',
    );

    // A flicker shorter than the hold is not reported; garbage between frames is skipped.
    pty.child.stdin.write(Buffer.concat([report(0), Buffer.from([0x12, 0xf4]), report(1)]));
    pty.child.stdin.write(report(0));
    await until('absent reported', () => readings.length === 1);
    expect(readings[0]).toMatchObject({ device: 'bedroom-radar', kind: 'presence', value: false });

    pty.child.stdin.write(Buffer.concat([report(2), report(3)]));
    await until('present reported', () => readings.length === 2);
    expect(readings[1]).toMatchObject({
      kind: 'presence',
      value: true,
      facts: { target_state: 3, moving_distance_cm: 120, stationary_distance_cm: 150 },
    });
    pty.child.stdin.write(report(0));
    await until('absent again', () => readings.length === 3);
    expect(readings.map((r) => r.value)).toEqual([false, true, false]);
    expect(driver.counters.badFrames).toBe(0);
  });
});
