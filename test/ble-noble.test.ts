// The BLE source under real noble: noble's own HCI layer talks to a virtual controller put in
// the place of @abandonware/bluetooth-hci-socket, which answers with real HCI event bytes.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/parse.ts';
import { SimClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import type { Event } from '../core/reading.ts';
import { BleSource } from '../firmware-bridge/ble/source.ts';
import type { SourceStatus } from '../firmware-bridge/driver.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { ADV, bthomeAd, ibeaconAd, sealBthome } from '../tools/sim/ble-adverts.ts';
import { SimHeartRateBand } from '../tools/sim/ble-band.ts';
import { installBleController, SimRadio } from '../tools/sim/ble-controller.ts';
import { tempDir } from './helpers/tmp.ts';
import { until } from './helpers/until.ts';

const PENDANT = '54:48:e6:8f:80:a5';
const DOOR = 'a4:c1:38:8d:18:b2';
const BAND = 'c8:2b:96:11:22:33';
const NEIGHBOUR = 'f0:99:19:aa:bb:cc';
const KEY = Buffer.from('231d39c1d7cc1ab1aee224cd096db932', 'hex');
const OTHER_KEY = Buffer.from('814aac74c4f17b6c1581e1ab87816b99', 'hex');
const TAG = { uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0', major: 7, minor: 1, txPower: -59 };
const WATCHDOG_MS = 90_000;

const sealed = sealBthome;

const radio = new SimRadio();
const band = new SimHeartRateBand(radio, BAND);
const clock = new SimClock(Date.parse('2026-03-02T09:00:00Z'));
const events: Event[] = [];
const lines: string[] = [];
let gw: Gateway;
let dir: string;

const advertise = (address: string, data: Buffer, rssi = -70) =>
  radio.advertise({ address, type: ADV.nonconnInd, data, rssi });
const of = (device: string, kind: string) => events.filter((e) => e.device === device && e.kind === kind);
/** Adverts and ACL data reach the gateway in order: once this one is counted, all before it were seen. */
async function settled(): Promise<void> {
  const before = gw.counters.get('ble.dropped.unknown');
  advertise(NEIGHBOUR, bthomeAd(Buffer.from('4002c409', 'hex')));
  await until('the marker advert', () => gw.counters.get('ble.dropped.unknown') > before);
}

beforeAll(async () => {
  installBleController(radio);
  dir = mkdtempSync(join(tmpdir(), 'hearth-ble-'));
  const sysfs = join(dir, 'sys');
  mkdirSync(join(sysfs, 'hci0'), { recursive: true });
  process.env.HEARTH_TEST_PENDANT_KEY = KEY.toString('hex');
  process.env.HEARTH_TEST_DOOR_KEY = KEY.toString('hex');
  const parsed = parseConfigText(`version: 1
gateway: { id: gw-ble, resident: r-ble, timezone: Europe/London }
rooms: [hall, bedroom]
devices:
  - { id: pendant, source: bthome, address: "${PENDANT}", bindkey: "\${env:HEARTH_TEST_PENDANT_KEY}", room: hall }
  - { id: back-door, source: bthome, address: "${DOOR}", bindkey: "\${env:HEARTH_TEST_DOOR_KEY}", kind: contact, room: hall }
  - { id: wrist-tag, source: ibeacon, uuid: "${TAG.uuid}", major: 7, minor: 1, away_after: 2m }
  - { id: hr-band, source: heart-rate, address: "${BAND}", interval: 60s }
storage: { path: ${join(dir, 'hearth.db')} }
`);
  if (!parsed.config) throw new Error(JSON.stringify(parsed.problems));
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  gw = await startGateway({
    config: parsed.config,
    log: createLogger({ level: 'info', destination, pretty: false }),
    clock,
    storePath: join(dir, 'hearth.db'),
    bluetoothSysfs: sysfs,
    listen: [{ host: '127.0.0.1', port: 0 }],
    bleWatchdogMs: WATCHDOG_MS,
  });
  gw.bus.on('event', (e) => events.push(e));
  await until('BLE scanning', () => gw.sources().some((s) => s.source === 'ble' && s.present));
});

afterAll(async () => {
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const logged = (re: RegExp) => lines.filter((l) => re.test(l)).length;

describe('BLE through real noble and a virtual controller', () => {
  it('reports the adapter it scans on', () => {
    expect(gw.sources().find((s) => s.source === 'ble')).toMatchObject({
      present: true,
      detail: expect.stringMatching(/^scanning on hci0 \(00:1a:7d:da:71:13\)/),
    });
  });

  it('an encrypted button press sent three times is one button reading in the event log', async () => {
    const press = sealed(PENDANT, KEY, '00093a01', 1001); // packet id 9, button: press
    for (let i = 0; i < 3; i++) advertise(PENDANT, bthomeAd(press));
    advertise(PENDANT, bthomeAd(sealed(PENDANT, KEY, '000a0155', 1002))); // packet 10, battery 85%
    await until('the battery reading after the presses', () => of('pendant', 'battery').length > 0);
    expect(of('pendant', 'button').map((e) => e.value)).toEqual(['press']);
    const stored = gw.store.events.between(0, clock.now() + 1).filter((e) => e.device === 'pendant');
    expect(stored.map((e) => [e.kind, e.value])).toEqual([
      ['button', 'press'],
      ['battery', 85],
    ]);
    expect(gw.counters.get('ble.bthome.repeat')).toBe(2);
  });

  it("a neighbour's advert is dropped and counted, never decoded or stored", async () => {
    const before = gw.counters.get('ble.dropped.unknown');
    advertise(NEIGHBOUR, bthomeAd(Buffer.from('403a01', 'hex')));
    await settled();
    expect(gw.counters.get('ble.dropped.unknown')).toBe(before + 2);
    expect(events.some((e) => !['pendant', 'back-door', 'wrist-tag', 'hr-band'].includes(e.device))).toBe(
      false,
    );
    expect(gw.counters.get('ingest.dropped.unknown_device')).toBe(0);
  });

  it('a replayed counter and a wrong bind key are refused, counted, and logged once per device', async () => {
    const refused = gw.counters.get('ble.bthome.refused');
    advertise(PENDANT, bthomeAd(sealed(PENDANT, KEY, '00053a01', 900))); // older than 1002
    for (let i = 0; i < 3; i++)
      advertise(DOOR, bthomeAd(sealed(DOOR, OTHER_KEY, `00${(20 + i).toString(16)}1101`, 50 + i)));
    await settled();
    expect(gw.counters.get('ble.bthome.refused')).toBe(refused + 4);
    expect(of('pendant', 'button')).toHaveLength(1);
    expect(of('back-door', 'contact')).toHaveLength(0);
    expect(logged(/pendant: counter 900 not above 1002: a replayed advert, refused/)).toBe(1);
    expect(logged(/back-door: decryption failed: wrong bind key for this device\?/)).toBe(1);
    // The right key again: the door is believed, with the row's kind filter applied.
    advertise(DOOR, bthomeAd(sealed(DOOR, KEY, '0030110101ff', 60)));
    await until('the door opening', () => of('back-door', 'contact').length === 1);
    expect(of('back-door', 'contact')[0]?.value).toBe(true);
  });

  it('an iBeacon tag arrives (presence true, once) and leaves after away_after (presence false)', async () => {
    for (const rssi of [-60, -64, -62]) advertise('d0:11:22:33:44:55', ibeaconAd(TAG), rssi);
    await settled();
    expect(of('wrist-tag', 'presence').map((e) => e.value)).toEqual([true]);
    expect(of('wrist-tag', 'rssi').map((e) => e.value)).toEqual([-60]);
    clock.advance(119_000);
    expect(of('wrist-tag', 'presence').map((e) => e.value)).toEqual([true]);
    clock.advance(2_000);
    expect(of('wrist-tag', 'presence').map((e) => e.value)).toEqual([true, false]);
    // Another tag of the same uuid but another minor is a neighbour's.
    const dropped = gw.counters.get('ble.dropped.unknown');
    advertise('d0:11:22:33:44:66', ibeaconAd({ ...TAG, minor: 2 }));
    await settled();
    expect(gw.counters.get('ble.dropped.unknown')).toBe(dropped + 2);
    expect(of('wrist-tag', 'presence')).toHaveLength(2);
  });

  it('a heart-rate band: notifications become one mean reading per interval, again after a reconnect', async () => {
    band.advertise();
    await until('the band subscribed', () => band.subscribed);
    await until('the battery level read', () => of('hr-band', 'battery').length === 1);
    expect(of('hr-band', 'battery')[0]?.value).toBe(87);
    band.measure(Buffer.from([0x16, 70, 0x00, 0x04])); // uint8, contact detected, one RR interval
    band.measure(Buffer.from([0x17, 80, 0x00])); // uint16 rate 80
    band.measure(Buffer.from([0x06, 90])); // contact detected
    band.measure(Buffer.from([0x04, 150])); // contact supported, not detected: not a rate
    await settled();
    expect(of('hr-band', 'heart_rate')).toHaveLength(0);
    clock.advance(60_000);
    expect(of('hr-band', 'heart_rate').map((e) => e.value)).toEqual([80]);

    radio.dropLink(BAND);
    await until('the gateway noticing the lost link', () => logged(/hr-band: link lost/) === 1);
    expect(band.connected).toBe(false);
    clock.advance(2_000); // the first backoff is about a second
    await until('the band reconnected and subscribed', () => band.subscribed);
    band.measure(Buffer.from([0x06, 60]));
    band.measure(Buffer.from([0x06, 64]));
    await settled();
    clock.advance(60_000);
    expect(of('hr-band', 'heart_rate').map((e) => e.value)).toEqual([80, 62]);
    expect(of('hr-band', 'battery')).toHaveLength(2);
  });

  it('restarts the scan when no advert at all has arrived for the watchdog time', async () => {
    const starts = radio.scanStarts;
    const restarted = gw.counters.get('ble.scan.restarted');
    clock.advance(WATCHDOG_MS * 2 + 1);
    expect(gw.counters.get('ble.scan.restarted')).toBeGreaterThan(restarted);
    expect(radio.scanStarts).toBeGreaterThan(starts);
    // Adverts keep it quiet: no restart while the air is busy.
    const after = gw.counters.get('ble.scan.restarted');
    for (let i = 0; i < 4; i++) {
      await settled();
      clock.advance(WATCHDOG_MS / 2);
    }
    expect(gw.counters.get('ble.scan.restarted')).toBe(after);
  });

  it('an adapter switched off is a degraded source, and scanning resumes when it comes back', async () => {
    const ble = () => gw.sources().find((s) => s.source === 'ble');
    const warned = logged(/missing pendant, back-door, wrist-tag, hr-band: adapter poweredOff/);
    radio.setPowered(false);
    // noble looks at the adapter once a second, on its own timer.
    await until('the source degraded', () => ble()?.present === false);
    expect(ble()?.detail).toBe('adapter poweredOff; waiting for it to come back');
    expect(logged(/missing pendant, back-door, wrist-tag, hr-band: adapter poweredOff/)).toBe(warned + 1);
    radio.setPowered(true);
    await until('scanning again', () => ble()?.present === true);
    const presses = of('pendant', 'button').length;
    advertise(PENDANT, bthomeAd(sealed(PENDANT, KEY, '000b3a02', 2000)));
    await until('a press heard after the adapter came back', () => of('pendant', 'button').length > presses);
    expect(of('pendant', 'button').at(-1)?.value).toBe('double_press');
  });
});

describe('BLE without an adapter', () => {
  it('reports BLE unavailable once, looks again quietly, and scans when an adapter appears', async () => {
    const sysfs = tempDir();
    const sim = new SimClock(0);
    const statuses: SourceStatus[] = [];
    const ctx = {
      clock: sim,
      log: createLogger({ level: 'silent' }),
      reading: () => {},
      status: (s: SourceStatus) => statuses.push(s),
      count: () => {},
    };
    const ble = new BleSource(
      [{ id: 'tag', source: 'ibeacon', uuid: TAG.uuid, major: 7, minor: 1, away_after: 120_000 }],
      ctx,
      { sysfs },
    );
    await ble.start();
    sim.advance(3_600_000);
    expect(statuses).toEqual([
      {
        source: 'ble',
        devices: ['tag'],
        present: false,
        detail: 'no Bluetooth adapter on this machine; BLE unavailable',
      },
    ]);
    mkdirSync(join(sysfs, 'hci0'));
    sim.advance(30_000);
    await until('scanning', () => statuses.at(-1)?.present === true);
    expect(statuses).toHaveLength(2);
    await ble.stop();
  });
});

describe('hearth scan ble on the virtual controller', () => {
  it('lists each device heard with its type and a ready-to-paste row', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'sys', 'class', 'bluetooth', 'hci0'), { recursive: true });
    const { scanBleCommand } = await import('../gateway/cli/scan-ble.ts');
    const lines: string[] = [];
    process.env.HEARTH_SCAN_ROOT = root;
    const air = setInterval(() => {
      advertise(PENDANT, bthomeAd(sealed(PENDANT, KEY, '00013a01', 5)), -50);
      advertise(NEIGHBOUR, bthomeAd(Buffer.from('4002c409', 'hex')), -80);
      advertise('d0:11:22:33:44:55', ibeaconAd(TAG), -65);
    }, 20);
    try {
      expect(await scanBleCommand({ seconds: '0.5' }, (l) => lines.push(l))).toBe(0);
    } finally {
      clearInterval(air);
      delete process.env.HEARTH_SCAN_ROOT;
    }
    const text = lines.join('\n');
    expect(text).toContain(`${PENDANT}  -50 dBm  bthome  encrypted: needs its bind key`);
    expect(text).toContain(`${NEIGHBOUR}  -80 dBm  bthome  temperature=25`);
    expect(text).toContain(
      'd0:11:22:33:44:55  -65 dBm  ibeacon  uuid e2c56db5-dffb-48d2-b060-d0f5a71096e0 major 7 minor 1',
    );
    expect(text).toContain(
      `- { id: CHANGE-ME, source: bthome, address: "${PENDANT}", bindkey: "\${file:/etc/hearth/keys/CHANGE-ME.key}", room: CHANGE-ME }`,
    );
    expect(text).toContain(
      `- { id: CHANGE-ME, source: ibeacon, uuid: "${TAG.uuid}", major: 7, minor: 1, role: wearable }`,
    );
  });
});
