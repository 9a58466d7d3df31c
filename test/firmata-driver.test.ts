// The Firmata driver on the real serialport stack over real pseudo-terminals, against the
// simulated StandardFirmata board (2.5, and 2.4 without INPUT_PULLUP or single-pin writes). Time
// that matters (debounce, handshake retries, output tunes) runs on a simulated clock the test
// moves; bytes cross the ptys in real time and are waited for.
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/parse.ts';
import { RealClock, SimClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import type { Event } from '../core/reading.ts';
import type { DriverContext, SourceStatus } from '../firmware-bridge/driver.ts';
import { MODE } from '../firmware-bridge/serial/firmata/constants.ts';
import { TUNES } from '../firmware-bridge/serial/firmata/patterns.ts';
import { FirmataDriver, type FirmataRow } from '../firmware-bridge/serial/firmata-driver.ts';
import { SerialPorts } from '../firmware-bridge/serial/port.ts';
import { startGateway } from '../gateway/main.ts';
import { type FirmataFlavour, FirmataSim } from '../tools/sim/firmata-sim.ts';
import { runHearth, startHearth } from './helpers/cli.ts';
import { driverContext } from './helpers/driver-context.ts';
import { openPair, pointLink } from './helpers/pty.ts';
import { tempDir } from './helpers/tmp.ts';
import { until as untilWithin } from './helpers/until.ts';

const until = (what: string, ok: () => boolean) => untilWithin(what, ok, 8_000);
const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/** A driver's context on a simulated clock, collecting readings, statuses and log lines. */
function simContext() {
  const clock = new SimClock(Date.UTC(2026, 2, 2, 9, 0));
  const readings: { device: string; kind: string; value: unknown; at: number }[] = [];
  const statuses: SourceStatus[] = [];
  const logs: { level: number; msg: string }[] = [];
  const destination = { write: (s: string) => logs.push(JSON.parse(s)) } as unknown as NodeJS.WritableStream;
  const ctx: DriverContext = {
    clock,
    log: createLogger({ level: 'info', destination }),
    reading: (r) => readings.push(r as (typeof readings)[number]),
    status: (s) => statuses.push(s),
  };
  return { ctx, clock, readings, statuses, logs };
}

/** The simulated board on the device's end of a pty, through serialport like a real cable. */
async function boardOn(path: string, flavour: FirmataFlavour = '2.5') {
  const port = new SerialPort({ path, baudRate: 57600, autoOpen: false });
  port.on('error', () => {});
  await new Promise<void>((ok, fail) => port.open((e) => (e ? fail(e) : ok())));
  const sim = new FirmataSim({ flavour, write: (b) => port.isOpen && port.write(Buffer.from(b)) });
  port.on('data', (b: Buffer) => sim.data(b));
  stops.push(() => new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r())));
  return sim;
}

const row = (r: Partial<FirmataRow> & Pick<FirmataRow, 'id' | 'pin' | 'kind'>): FirmataRow => ({
  port: '',
  invert: false,
  debounce: 50,
  baud: 57600,
  ...r,
});

/** A board on a by-id-like link and a driver with `rows` on it, handshake done. */
async function rig(rows: FirmataRow[], flavour: FirmataFlavour = '2.5') {
  const pair = await openPair();
  const link = join(tempDir(), 'usb-Arduino_Uno_75833-if00');
  pointLink(link, pair.ends[1]);
  const sim = await boardOn(pair.ends[0], flavour);
  const c = simContext();
  const driver = new FirmataDriver(
    rows.map((r) => ({ ...r, port: link })),
    new SerialPorts(c.ctx, 500),
    c.ctx,
    { handshakeMs: 1_000, capMs: 4_000 },
  );
  stops.push(() => driver.stop());
  await driver.start();
  await until('handshake', () => driver.counters.handshakes === 1);
  return { ...c, pair, link, sim, driver };
}

/** Waits until `n` more messages from the board have reached the driver. */
async function heard(driver: FirmataDriver, n: number, what: string) {
  const want = driver.counters.messages + n;
  await until(what, () => driver.counters.messages >= want);
}

describe('Firmata driver: handshake and pin modes', () => {
  it('2.5: asks who the board is, sets INPUT_PULLUP, OUTPUT and ANALOG from the capabilities', async () => {
    const { sim, driver, statuses, link } = await rig([
      row({ id: 'hall-pir', pin: 2, kind: 'motion' }),
      row({ id: 'prompt', pin: 8, kind: 'output', role: 'prompt' }),
      row({ id: 'bed-pad', pin: 'A0', kind: 'bed', threshold: 500 }),
    ]);
    expect(sim.asked).toEqual(['version', 'firmware', 'capabilities', 'analog mapping']);
    await until('modes set', () => sim.modes.size === 3);
    expect(Object.fromEntries(sim.modes)).toEqual({ 2: MODE.INPUT_PULLUP, 8: MODE.OUTPUT, 14: MODE.ANALOG });
    expect(sim.pullUps).toEqual(new Set([2]));
    expect(statuses.at(-1)).toEqual({
      source: 'firmata',
      devices: ['hall-pir', 'prompt', 'bed-pad'],
      present: true,
      detail: `StandardFirmata.ino 2.5 (protocol 2.5) on ${link}, 20 pins`,
    });
    expect(driver.health()).toMatchObject([{ present: true }]);
  });

  it('2.4: no INPUT_PULLUP, so INPUT and a HIGH write; the prompt by whole-port writes keeps the pull-up', async () => {
    const { sim, driver, clock } = await rig(
      [
        row({ id: 'door', pin: 2, kind: 'contact' }),
        row({ id: 'prompt', pin: 4, kind: 'output', role: 'prompt' }),
      ],
      '2.4',
    );
    await until('pull-up on', () => sim.pullUps.has(2));
    expect(sim.modes.get(2)).toBe(MODE.INPUT);
    expect(sim.modes.get(4)).toBe(MODE.OUTPUT);
    driver.output({ pattern: 'prompt' });
    await until('buzzer on', () => sim.output(4));
    clock.advance(200);
    await until('buzzer off', () => !sim.output(4));
    // The same port's writes carried pin 2's bit: its pull-up was never taken away.
    expect(sim.pullUps.has(2)).toBe(true);
    expect(sim.writes.filter((w) => w.pin === 4).map((w) => w.on)).toEqual([false, true, false]);
  });
});

describe('Firmata driver: readings', () => {
  it('a level counts once it has held `debounce`; a shorter glitch is no reading; invert flips', async () => {
    const { sim, driver, clock, readings } = await rig([
      row({ id: 'hall-pir', pin: 2, kind: 'motion' }),
      row({ id: 'front-door', pin: 3, kind: 'contact', invert: true, debounce: 200 }),
    ]);
    // Both pins idle high on their pull-ups: motion, and (inverted) door closed.
    await until('first report', () => driver.counters.messages >= 5);
    clock.advance(250);
    expect(readings.map((r) => [r.device, r.kind, r.value])).toEqual([
      ['hall-pir', 'motion', true],
      ['front-door', 'contact', false],
    ]);
    sim.setDigital(2, false);
    sim.setDigital(2, true);
    await heard(driver, 2, 'the glitch');
    clock.advance(1_000);
    expect(readings).toHaveLength(2);
    sim.setDigital(2, false);
    sim.setDigital(3, false);
    await heard(driver, 2, 'pir low, door low');
    clock.advance(60);
    expect(readings.slice(2).map((r) => [r.device, r.value])).toEqual([['hall-pir', false]]);
    clock.advance(200);
    expect(readings.slice(2).map((r) => [r.device, r.value])).toEqual([
      ['hall-pir', false],
      ['front-door', true],
    ]);
    expect(driver.counters.badMessages).toBe(0);
  });

  it('an analog pad: above the threshold bed true; below it less the hysteresis false', async () => {
    const { sim, driver, clock, readings } = await rig([
      row({ id: 'bed-pad', pin: 'A0', kind: 'bed', threshold: 500 }),
    ]);
    await until('analog reporting', () => sim.modes.get(14) === MODE.ANALOG && sim.reportedChannels.has(0));
    sim.setAnalog(0, 700);
    await heard(driver, 1, 'pad pressed');
    clock.advance(100);
    expect(readings.map((r) => [r.device, r.kind, r.value])).toEqual([['bed-pad', 'bed', true]]);
    sim.setAnalog(0, 470); // under the threshold, not by 5 %
    await heard(driver, 1, 'pad eased');
    clock.advance(100);
    expect(readings).toHaveLength(1);
    sim.setAnalog(0, 300);
    await heard(driver, 1, 'pad empty');
    clock.advance(100);
    expect(readings.map((r) => r.value)).toEqual([true, false]);
  });
});

describe('Firmata driver: outputs', () => {
  it('prompt beeps three times and again until prompt-end; the status LED is steady or blinks', async () => {
    const { sim, driver, clock } = await rig([
      row({ id: 'prompt', pin: 8, kind: 'output', role: 'prompt' }),
      row({ id: 'status-led', pin: 9, kind: 'output' }),
    ]);
    await until('outputs set', () => sim.modes.get(9) === MODE.OUTPUT);
    const levels = (pin: number) => sim.writes.filter((w) => w.pin === pin).map((w) => (w.on ? 1 : 0));
    driver.output({ pattern: 'prompt' });
    await until('first beep', () => sim.output(8));
    // Step through the tune as its table says: three beeps, the pause, the first beep again.
    for (const [i, step] of TUNES['three-beeps'].steps.entries()) {
      const n = levels(8).length;
      clock.advance(step.ms);
      await until(`step ${i}`, () => levels(8).length > n);
    }
    expect(levels(8)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
    driver.output({ pattern: 'prompt-end' });
    await until('silent', () => !sim.output(8));
    clock.advance(60_000);
    // The LED's write follows any late buzzer write on the same wire.
    driver.output({ pattern: 'link-ok' });
    await until('led on', () => sim.output(9));
    expect(levels(8)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0]);
    driver.output({ pattern: 'link-down' });
    await until('led off', () => !sim.output(9));
    clock.advance(1_000);
    await until('led on again', () => sim.output(9));
    driver.output({ pattern: 'link-ok' });
    clock.advance(10_000);
    driver.output({ pattern: 'prompt-end' });
    expect(levels(9)).toEqual([0, 1, 0, 1]);
    expect(levels(8)).toHaveLength(9);
  });
});

describe('Firmata driver: the board coming and going', () => {
  it('unplug and replug: missing reported, then the handshake again and readings again', async () => {
    const { sim, driver, clock, readings, statuses, pair, link } = await rig([
      row({ id: 'hall-pir', pin: 2, kind: 'motion' }),
      row({ id: 'prompt', pin: 8, kind: 'output', role: 'prompt' }),
    ]);
    await until('report', () => driver.counters.messages >= 5);
    clock.advance(100);
    expect(readings.map((r) => r.value)).toEqual([true]);
    sim.setDigital(2, false);
    await heard(driver, 1, 'pir low');
    clock.advance(100);
    driver.output({ pattern: 'prompt' });
    pair.close();
    await until('missing', () => statuses.at(-1)?.present === false);
    expect(driver.health()).toMatchObject([{ present: false }]);
    const before = driver.counters.messages;

    const again = await openPair();
    pointLink(link, again.ends[1]);
    const sim2 = await boardOn(again.ends[0]);
    clock.advance(5_000); // past the reconnect backoff
    await until('second handshake', () => driver.counters.handshakes === 2);
    expect(sim2.asked).toEqual(['version', 'firmware', 'capabilities', 'analog mapping']);
    await until('pin modes again', () => sim2.modes.get(2) === MODE.INPUT_PULLUP);
    // The prompt still playing is picked up by the new connection.
    await until('buzzer set again', () => sim2.writes.some((w) => w.pin === 8));
    // Four answers and the first report of pin 2, idle high on its pull-up.
    await until('first report after replug', () => driver.counters.messages >= before + 5);
    clock.advance(100);
    sim2.setDigital(2, false);
    await heard(driver, 1, 'pir low again');
    clock.advance(100);
    expect(readings.map((r) => r.value)).toEqual([true, false, true, false]);
    expect(statuses.map((s) => s.present)).toEqual([true, true, false, true, true]);
  });

  it('a board that never answers: a clear line, not present, and the questions keep coming', async () => {
    const pair = await openPair();
    const link = join(tempDir(), 'usb-Arduino_Uno_75833-if00');
    pointLink(link, pair.ends[1]);
    const heardBytes: number[] = [];
    const silent = new SerialPort({ path: pair.ends[0], baudRate: 57600 });
    silent.on('data', (b: Buffer) => heardBytes.push(...b));
    stops.push(() => new Promise<void>((r) => (silent.isOpen ? silent.close(() => r()) : r())));
    const { ctx, clock, statuses, logs } = simContext();
    const driver = new FirmataDriver(
      [row({ id: 'hall-pir', pin: 2, kind: 'motion', port: link })],
      new SerialPorts(ctx, 500),
      ctx,
      { handshakeMs: 1_000, capMs: 4_000 },
    );
    stops.push(() => driver.stop());
    await driver.start();
    await until('port open', () => statuses.length === 1);
    const versionQueries = () => heardBytes.filter((b) => b === 0xf9).length;
    for (let i = 1; i <= 3; i++) {
      await until(`attempt ${i} heard`, () => versionQueries() === i);
      clock.advance(1_000);
    }
    const line = `no Firmata answer on ${link}: is StandardFirmata flashed, is the baud 57600?`;
    expect(logs.filter((l) => l.msg === line)).toHaveLength(1);
    expect(statuses.at(-1)).toEqual({
      source: 'firmata',
      devices: ['hall-pir'],
      present: false,
      detail: line,
    });
    expect(driver.health()).toEqual([statuses.at(-1)]);
    await until('attempt 4 heard', () => versionQueries() === 4);
    clock.advance(4_000);
    await until('attempt 5 heard', () => versionQueries() === 5);
    expect(logs.filter((l) => l.msg === line)).toHaveLength(1);

    // StandardFirmata flashed at last: the next attempt is answered.
    silent.removeAllListeners('data');
    const sim = new FirmataSim({ write: (b) => silent.write(Buffer.from(b)) });
    silent.on('data', (b: Buffer) => sim.data(b));
    clock.advance(4_000);
    await until('handshake', () => driver.counters.handshakes === 1);
    expect(statuses.at(-1)).toMatchObject({
      present: true,
      detail: expect.stringMatching(/^StandardFirmata/),
    });
  });
});

describe('hearth simulate serial --driver firmata, and hearth scan serial', () => {
  it('the simulated board answers the real driver: readings follow the pattern, the prompt is printed', async () => {
    const pair = await openPair();
    const sim = startHearth([
      'simulate',
      'serial',
      '--driver',
      'firmata',
      '--port',
      pair.ends[0],
      '--pattern',
      'present 600ms, absent 600ms',
    ]);
    stops.push(() => void sim.child.kill('SIGKILL'));
    await sim.waitFor(/simulating firmata \(StandardFirmata 2\.5\)/);
    const { ctx, readings } = driverContext();
    const driver = new FirmataDriver(
      [
        row({ id: 'lounge-pir', pin: 3, kind: 'motion', port: pair.ends[1] }),
        row({ id: 'prompt', pin: 8, kind: 'output', role: 'prompt', port: pair.ends[1] }),
      ],
      new SerialPorts(ctx),
      ctx,
    );
    stops.push(() => driver.stop());
    await driver.start();
    await untilWithin('present then absent', () => readings.length >= 2, 15_000);
    expect(readings.slice(0, 2).map((r) => [r.device, r.kind])).toEqual([
      ['lounge-pir', 'motion'],
      ['lounge-pir', 'motion'],
    ]);
    expect(readings[0]?.value).not.toBe(readings[1]?.value);
    await sim.waitFor(/pin 3: INPUT_PULLUP/);
    driver.output({ pattern: 'prompt' });
    await sim.waitFor(/pin 8: on/);
    driver.output({ pattern: 'prompt-end' });
    sim.child.kill('SIGINT');
    expect((await sim.exited).code).toBe(0);
    expect(sim.output()).toMatch(/simulator stopped/);
  });

  it('scan recognises StandardFirmata 2.5 and 2.4 and prints a firmata row to paste', async () => {
    const a = await openPair();
    const b = await openPair();
    const new25 = startHearth(['simulate', 'serial', '--driver', 'firmata', '--port', a.ends[0]]);
    const old24 = startHearth([
      'simulate',
      'serial',
      '--driver',
      'firmata',
      '--firmata',
      '2.4',
      '--port',
      b.ends[0],
    ]);
    stops.push(() => void new25.child.kill('SIGKILL'));
    stops.push(() => void old24.child.kill('SIGKILL'));
    await new25.waitFor(/simulating/);
    await old24.waitFor(/simulating/);
    const r = await runHearth(['scan', 'serial', '--port', a.ends[1], '--port', b.ends[1]]);
    expect(r.code).toBe(0);
    expect(r.output).toContain(
      `- { id: pin-2, source: firmata, port: ${a.ends[1]}, pin: 2, kind: CHANGE-ME }`,
    );
    expect(r.output).toContain(
      `- { id: pin-2-2, source: firmata, port: ${b.ends[1]}, pin: 2, kind: CHANGE-ME }`,
    );
    expect(r.output).toMatch(
      /StandardFirmata\.ino 2\.5 \(protocol 2\.5\), 20 pins: digital inputs 2, 3, .*13; analog A0, .*A5/,
    );
    expect(r.output).toMatch(/StandardFirmata\.ino 2\.4 \(protocol 2\.4\).*\n.*no INPUT_PULLUP/);
  });

  it('refuses an unknown --firmata version (exit 2)', async () => {
    const r = await runHearth([
      'simulate',
      'serial',
      '--driver',
      'firmata',
      '--firmata',
      '3.0',
      '--port',
      '/dev/null',
    ]);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/--firmata 3\.0: expected 2\.5 or 2\.4/);
  });
});

describe('Firmata in the gateway', () => {
  it('firmata rows are read by the driver and the prompt reaches the buzzer through the bus', async () => {
    const pair = await openPair();
    const dir = tempDir();
    const link = join(dir, 'usb-Arduino_Uno_75833-if00');
    pointLink(link, pair.ends[1]);
    const sim = await boardOn(pair.ends[0], '2.4');
    const parsed = parseConfigText(`version: 1
gateway: { id: gw-firmata, resident: r-f, timezone: Europe/London }
rooms: [hall]
devices:
  - { id: hall-pir, source: firmata, port: ${link}, pin: 2, kind: motion, room: hall }
  - { id: prompt, source: firmata, port: ${link}, pin: 8, kind: output, role: prompt }
`);
    if (!parsed.config) throw new Error(JSON.stringify(parsed.problems));
    const gw = await startGateway({
      config: parsed.config,
      log: createLogger({ level: 'silent' }),
      clock: new RealClock(),
      storePath: join(dir, 'hearth.db'),
      listen: [{ host: '127.0.0.1', port: 0 }],
    });
    stops.push(() => gw.stop());
    const events: Event[] = [];
    gw.bus.on('event', (e) => events.push(e));
    await untilWithin(
      'board set up',
      () => gw.sources().some((s) => s.source === 'firmata' && s.present),
      8_000,
    );
    await until('first reading', () => events.length === 1);
    sim.setDigital(2, false);
    await until('second reading', () => events.length === 2);
    expect(events.map((e) => [e.device, e.kind, e.value])).toEqual([
      ['hall-pir', 'motion', true],
      ['hall-pir', 'motion', false],
    ]);
    gw.bus.emit('output', { pattern: 'prompt' });
    await until('buzzer on', () => sim.output(8));
    gw.bus.emit('output', { pattern: 'prompt-end' });
    await until('buzzer off', () => !sim.output(8));
  });
});
