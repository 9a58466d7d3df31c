// The LD2410 and jsonl simulators and `hearth scan serial`, over real pty pairs: a python3
// helper opens two ptys and relays between their masters, so each end is a serial port path.

import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlDriver } from '../firmware-bridge/serial/jsonl-driver.ts';
import { decodeFrame, readFirmware } from '../firmware-bridge/serial/ld2410/codec.ts';
import { Ld2410Driver } from '../firmware-bridge/serial/ld2410-driver.ts';
import { SerialPorts } from '../firmware-bridge/serial/port.ts';
import { listPorts } from '../firmware-bridge/serial/scan.ts';
import { JsonlSim } from '../tools/sim/jsonl-sim.ts';
import { Ld2410Sim } from '../tools/sim/ld2410-sim.ts';
import { parsePattern, stepAt } from '../tools/sim/pattern.ts';
import { type Running, runHearth, startHearth } from './helpers/cli.ts';
import { driverContext } from './helpers/driver-context.ts';
import { openPair as openPtyPair } from './helpers/pty.ts';
import { tempDir } from './helpers/tmp.ts';
import { until } from './helpers/until.ts';

const children: (ChildProcessWithoutNullStreams | Running['child'])[] = [];
const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

async function openPair(): Promise<[string, string]> {
  return (await openPtyPair()).ends;
}

describe('simulator patterns', () => {
  it('parses steps and loops them', () => {
    const p = parsePattern('present 2s, absent 500ms');
    expect(p).toEqual([
      { value: true, ms: 2000 },
      { value: false, ms: 500 },
    ]);
    if (typeof p === 'string') return;
    expect([0, 1999, 2000, 2499, 2500].map((t) => stepAt(p, t).value)).toEqual([
      true,
      true,
      false,
      false,
      true,
    ]);
    expect(parsePattern('present for ever')).toMatch(/not a step/);
    expect(parsePattern('')).toMatch(/empty/);
  });

  it('the LD2410 simulator answers commands with ACKs and is silent in configuration mode', () => {
    const sent: Uint8Array[] = [];
    const p = parsePattern('present 1s');
    if (typeof p === 'string') throw new Error(p);
    const sim = new Ld2410Sim({ write: (b) => sent.push(b), pattern: p });
    sim.data(readFirmware()); // outside configuration mode: refused
    sim.data(Uint8Array.from([0xfd, 0xfc, 0xfb, 0xfa, 4, 0, 0xff, 0, 1, 0, 4, 3, 2, 1]));
    sim.tick();
    sim.data(readFirmware());
    const frames = sent.map((b) => decodeFrame(b));
    expect(frames.map((f) => f.ok && f.frame.type === 'ack' && [f.frame.command, f.frame.status])).toEqual([
      [0xa0, 1],
      [0xff, 0],
      [0xa0, 0],
    ]);
    const fw = frames[2];
    expect(fw?.ok && fw.frame.type === 'ack' && fw.frame.body).toEqual({
      kind: 'firmware',
      firmwareType: 0,
      version: 'V2.04.23022511',
    });
  });
});

describe('simulators over a pty pair, real drivers on the other end', () => {
  it('ld2410: the driver configures the simulated radar into engineering mode and gets presence', async () => {
    const [a, b] = await openPair();
    const { ctx, readings } = driverContext();
    const driver = new Ld2410Driver(
      [{ id: 'bedroom-radar', port: b, baud: 256000 }],
      new SerialPorts(ctx),
      ctx,
    );
    stops.push(() => driver.stop());
    const sim = startHearth([
      'simulate',
      'serial',
      '--driver',
      'ld2410',
      '--port',
      a,
      '--pattern',
      'present 1500ms, absent 1500ms',
    ]);
    children.push(sim.child);
    await sim.waitFor(/simulating ld2410/);
    await driver.start();
    await until('present then absent', () => readings.length >= 2, 15_000);
    expect(readings.slice(0, 2).map((r) => [r.device, r.kind])).toEqual([
      ['bedroom-radar', 'presence'],
      ['bedroom-radar', 'presence'],
    ]);
    expect(readings[0]?.value).not.toBe(readings[1]?.value);
    expect(driver.counters.acks).toBe(4); // configuration, firmware, engineering, end
    expect(driver.counters.badFrames).toBe(0);
    sim.child.kill('SIGINT');
    expect((await sim.exited).code).toBe(0);
    expect(sim.output()).toMatch(/simulator stopped/);
  });

  it('jsonl: lines with sensor, kind, value and seq reach the driver as readings', async () => {
    const [a, b] = await openPair();
    const { ctx, readings } = driverContext();
    const driver = new JsonlDriver(
      [{ id: 'chair-pad', port: b, sensor: 'chair1', kind: 'chair', baud: 115200 }],
      new SerialPorts(ctx),
      ctx,
    );
    stops.push(() => driver.stop());
    await driver.start();
    await new Promise((r) => setTimeout(r, 300));
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({ path: a, baudRate: 115200 });
    stops.push(() => new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r())));
    await new Promise((r) => port.once('open', r));
    const p = parsePattern('present 400ms, absent 400ms');
    if (typeof p === 'string') throw new Error(p);
    const jsim = new JsonlSim({
      write: (x) => port.write(Buffer.from(x)),
      sensor: 'chair1',
      kind: 'chair',
      pattern: p,
    });
    jsim.start();
    stops.push(() => jsim.stop());
    await until('three readings', () => readings.length >= 3);
    expect(readings.slice(0, 3).map((r) => [r.device, r.kind, r.value])).toEqual([
      ['chair-pad', 'chair', true],
      ['chair-pad', 'chair', false],
      ['chair-pad', 'chair', true],
    ]);
    expect(driver.counters).toMatchObject({ invalid: 0, seqGaps: 0 });
  });

  it('refuses an unknown driver (exit 2) and a bad pattern (exit 2)', async () => {
    const f = await runHearth(['simulate', 'serial', '--driver', 'zigbee', '--port', '/dev/null']);
    expect(f.code).toBe(2);
    expect(f.output).toMatch(/unknown driver zigbee; expected ld2410, jsonl, firmata/);
    const p = await runHearth([
      'simulate',
      'serial',
      '--driver',
      'jsonl',
      '--port',
      '/dev/null',
      '--pattern',
      'x',
    ]);
    expect(p.code).toBe(2);
  });
});

describe('hearth scan serial', () => {
  it('recognises the simulated LD2410 and the simulated jsonl board, and says so of a silent port', async () => {
    const [a, b] = await openPair();
    const [c, d] = await openPair();
    const [, silent] = await openPair();
    const radar = startHearth(['simulate', 'serial', '--driver', 'ld2410', '--port', a]);
    const board = startHearth([
      'simulate',
      'serial',
      '--driver',
      'jsonl',
      '--port',
      c,
      '--sensor',
      'temp1',
      '--kind',
      'temperature',
      '--pattern',
      '21.5 10s',
    ]);
    children.push(radar.child, board.child);
    await radar.waitFor(/simulating/);
    await board.waitFor(/simulating/);
    const r = await runHearth(['scan', 'serial', '--port', b, '--port', d, '--port', silent]);
    expect(r.code).toBe(0);
    expect(r.output).toContain(`- { id: radar, source: ld2410, port: ${b} }`);
    expect(r.output).toContain(
      `- { id: temp1, source: jsonl, port: ${d}, sensor: temp1, kind: temperature }`,
    );
    expect(r.output).toMatch(new RegExp(`${silent}\\n\\s+nothing recognised`));
  });

  it('on a machine with no serial ports: says so, exit 0', async () => {
    const empty = tempDir();
    expect(listPorts({ dev: empty, sys: empty })).toEqual([]);
    const none = await runHearth(['scan', 'serial'], { HEARTH_SCAN_ROOT: empty });
    expect(none.code).toBe(0);
    expect(none.output).toMatch(/no serial ports found/);
    const missing = await runHearth(['scan', 'serial', '--port', `${empty}/ttyUSB9`]);
    expect(missing.code).toBe(2);
  });
});
