// The jsonl and LD2410 drivers on the real serialport stack over real pseudo-terminals: a small
// python3 helper owns the pty master, the driver opens the slave through a by-id-like symlink.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlDriver } from '../firmware-bridge/serial/jsonl-driver.ts';
import { REPORT_FOOTER, REPORT_HEADER } from '../firmware-bridge/serial/ld2410/codec.ts';
import { Ld2410Driver } from '../firmware-bridge/serial/ld2410-driver.ts';
import { SerialPorts } from '../firmware-bridge/serial/port.ts';
import { ackFrame } from '../tools/sim/ld2410-sim.ts';
import { driverContext } from './helpers/driver-context.ts';
import { openPty, pointLink } from './helpers/pty.ts';
import { tempDir } from './helpers/tmp.ts';
import { until as untilWithin } from './helpers/until.ts';

/** These waits have eight seconds each. */
const until = (what: string, ok: () => boolean) => untilWithin(what, ok, 8_000);

const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

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
    pty.send(
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

  it("a fall radar's board: its falls under its presence row's sensor and on a fall row; a fall neither true nor false is refused and counted", async () => {
    const pty = await openPty();
    const link = join(tempDir(), 'usb-custom-if00');
    pointLink(link, pty.path);
    const { ctx, readings, statuses, logs } = driverContext();
    const driver = new JsonlDriver(
      [
        { id: 'bathroom-radar', port: link, sensor: 'radar1', kind: 'presence', baud: 115200 },
        { id: 'hall-fall', port: link, sensor: 'fall1', kind: 'fall', baud: 115200 },
      ],
      new SerialPorts(ctx, 500),
      ctx,
    );
    stops.push(() => driver.stop());
    await driver.start();
    await until('port open', () => statuses.some((s) => s.present));
    pty.send(
      [
        '{"sensor":"radar1","kind":"presence","value":true,"seq":1}',
        '{"sensor":"radar1","kind":"fall","value":true,"seq":2}',
        '{"sensor":"radar1","kind":"fall","value":"fallen","seq":3}',
        '{"sensor":"radar1","kind":"fall","value":false,"seq":4}',
        '{"sensor":"fall1","kind":"presence","value":true}',
        '{"sensor":"fall1","kind":"fall","value":true}',
        '',
      ].join('\n'),
    );
    await until('readings', () => readings.length >= 4);
    expect(readings.map((r) => [r.device, r.kind, r.value])).toEqual([
      ['bathroom-radar', 'presence', true],
      ['bathroom-radar', 'fall', true],
      ['bathroom-radar', 'fall', false],
      ['hall-fall', 'fall', true],
    ]);
    expect(driver.counters).toMatchObject({ readings: 4, invalid: 2 });
    expect(logs()).toMatch(/invalid jsonl line: value "fallen" is not a boolean for fall/);
    expect(logs()).toMatch(/invalid jsonl line: kind presence on a fall row/);
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
    first.send('{"sensor":"chair1","value":true}\n');
    await until('first reading', () => readings.length === 1);

    first.close();
    await until('missing reported', () => statuses.length === 2);
    expect(statuses[1]).toMatchObject({ present: false, devices: ['chair-pad'] });

    const second = await openPty();
    pointLink(link, second.path);
    await until('reconnected', () => statuses.length === 3);
    expect(statuses.map((s) => s.present)).toEqual([true, false, true]);
    second.send('{"sensor":"chair1","value":false}\n');
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
    pty.send('{"sensor":"chair1","value":true}\n');
    await until('reading', () => readings.length === 1);
    expect(statuses.map((s) => s.present)).toEqual([false, true]);
  });
});

describe('ld2410 driver', () => {
  it('configures the radar at open and reports presence on change, once held for a second', async () => {
    const pty = await openPty();
    const link = join(tempDir(), 'usb-radar-if00');
    pointLink(link, pty.path);
    const { ctx, readings, statuses, logs } = driverContext();
    // Long enough that a slow test machine is not taken for a radar that did not answer.
    const driver = new Ld2410Driver(
      [{ id: 'bedroom-radar', port: link, baud: 256000 }],
      new SerialPorts(ctx),
      ctx,
      5_000,
    );
    stops.push(() => driver.stop());
    await driver.start();
    await until('port open', () => statuses.some((s) => s.present));
    // One command at a time, each after the radar's ACK of the one before: configuration mode,
    // the firmware version, engineering mode, back to reporting.
    const sent = () => pty.written();
    const answers: [string, Uint8Array][] = [
      ['fdfcfbfa0400ff00010004030201', ackFrame(0xff, 0, Uint8Array.of(1, 0, 0x40, 0))],
      ['fdfcfbfa0200a00004030201', ackFrame(0xa0, 0, Uint8Array.of(0, 0, 2, 1, 0x16, 0x24, 0x06, 0x22))],
      ['fdfcfbfa0200620004030201', ackFrame(0x62, 0)],
      ['fdfcfbfa0200fe0004030201', ackFrame(0xfe, 0)],
    ];
    let want = '';
    for (const [command, ack] of answers) {
      want += command;
      await until(`command ${command}`, () => sent().length >= want.length);
      expect(sent()).toBe(want); // nothing more before the answer
      pty.send(ack);
    }
    await until('ready', () => /bedroom-radar ready, firmware V1\.02\.22062416/.test(logs()));
    expect(driver.counters.acks).toBe(4);

    // A flicker shorter than the hold is not reported; garbage between frames is skipped.
    pty.send(Buffer.concat([report(0), Buffer.from([0x12, 0xf4]), report(1)]));
    pty.send(report(0));
    await until('absent reported', () => readings.length === 1);
    expect(readings[0]).toMatchObject({ device: 'bedroom-radar', kind: 'presence', value: false });

    pty.send(Buffer.concat([report(2), report(3)]));
    await until('present reported', () => readings.length === 2);
    expect(readings[1]).toMatchObject({
      kind: 'presence',
      value: true,
      facts: { target_state: 3, moving_distance_cm: 120, stationary_distance_cm: 150 },
    });
    pty.send(report(0));
    await until('absent again', () => readings.length === 3);
    expect(readings.map((r) => r.value)).toEqual([false, true, false]);
    expect(driver.counters.badFrames).toBe(0);
  });

  it('still reads a radar that never answers its commands, and says which command went unanswered', async () => {
    const pty = await openPty();
    const link = join(tempDir(), 'usb-radar-if00');
    pointLink(link, pty.path);
    const { ctx, readings, logs } = driverContext();
    const driver = new Ld2410Driver(
      [{ id: 'hall-radar', port: link, baud: 256000 }],
      new SerialPorts(ctx),
      ctx,
    );
    stops.push(() => driver.stop());
    await driver.start();
    await until('the warning', () => /hall-radar .*command 0x00ff not answered after 3 tries/.test(logs()));
    // Three tries of enable-configuration, then end-configuration so the radar goes on reporting.
    const want = `${'fdfcfbfa0400ff00010004030201'.repeat(3)}fdfcfbfa0200fe0004030201`;
    await until('the bytes through the pty', () => pty.written().length >= want.length);
    expect(pty.written()).toBe(want);
    pty.send(report(3));
    await until('present', () => readings.length === 1);
    expect(readings[0]).toMatchObject({ device: 'hall-radar', value: true });
  });
});
