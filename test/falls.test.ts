// Falls from real devices, through the gateway as it runs: what real fall radars publish, by
// Zigbee2MQTT and ESPHome to the gateway's own broker (aedes) from an MQTT client, and by a
// JSON-lines board on a real pseudo-terminal, each an Event of kind fall and the rule engine's
// urgent fall alert; a fall state republished is no new call, its end resolves the acknowledged
// one, and a fall state no table knows is refused, logged and counted, the good readings kept.
// Time that matters (a minute between readings) runs on a simulated clock the test moves;
// messages cross the broker and the pty in real time and are waited for.
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../cloud-relay/protocol/messages.ts';
import { parseConfigText } from '../config/parse.ts';
import { SimClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import type { Event } from '../core/reading.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { openPty, pointLink } from './helpers/pty.ts';
import { local } from './helpers/simulate.ts';
import { tempDir } from './helpers/tmp.ts';
import { until } from './helpers/until.ts';

const PASSWORD = 'fall-devices-secret';

/** How one fall device speaks: where, and its words for all is well, a fall, and a word no table knows. */
type Device = {
  id: string;
  model: string;
  /** Its row's kind: a radar's presence row takes its falls too. */
  kind: 'presence' | 'fall';
  room: string;
  send: 'mqtt' | 'serial';
  /** The MQTT topic, or the board's sensor name. */
  at: string;
  normal: string;
  fall: string;
  hostile?: string;
};

/**
 * Tuya MIR-HE200-TY (TS0601 _TZE200_lu01t0zl) as Zigbee2MQTT publishes it: its whole state, its
 * fall state with it (zigbee-herdsman-converters' exposes for the model).
 */
const mir = (fall: string) =>
  `{"fall_down_status":"${fall}","fall_sensitivity":6,"illuminance":31,"linkquality":156,"motion_direction":"standing_still","motion_speed":0,"occupancy":true,"presence":true,"radar_scene":"toilet","radar_sensitivity":7,"static_dwell_alarm":null,"tumble_alarm_time":1,"tumble_switch":"ON"}`;
const heiman = (fall: string) =>
  `{"fall_status":"${fall}","linkquality":98,"occupancy":true,"sensor_status":"none"}`;
const owon = (status: string) =>
  `{"breathing_rate":15,"linkquality":120,"location_x":-35,"location_y":182,"status":"${status}"}`;
const line = (kind: string, value: unknown) =>
  `{"sensor":"radar1","kind":"${kind}","value":${JSON.stringify(value)}}\n`;

const DEVICES: Device[] = [
  {
    id: 'bathroom-radar',
    kind: 'presence',
    model: 'Tuya MIR-HE200-TY on Zigbee2MQTT (fall_down_status), on its presence row',
    room: 'bathroom',
    send: 'mqtt',
    at: 'zigbee2mqtt/bathroom_radar',
    normal: mir('none'),
    fall: mir('fall'),
    hostile: mir('falling'),
  },
  {
    id: 'hall-fall',
    kind: 'fall',
    model: 'Heiman HS2FD-EF1-3.0 on Zigbee2MQTT (fall_status), on a row of kind fall',
    room: 'hall',
    send: 'mqtt',
    at: 'zigbee2mqtt/hall_fall',
    normal: heiman('normal'),
    fall: heiman('fall_alarm'),
  },
  {
    id: 'bedroom-radar',
    kind: 'presence',
    model: 'OWON FDS315 on Zigbee2MQTT (status), on its presence row',
    room: 'bedroom',
    send: 'mqtt',
    at: 'zigbee2mqtt/bedroom_radar',
    normal: owon('on_the_bed'),
    fall: owon('falling'),
  },
  {
    id: 'lounge-radar',
    kind: 'fall',
    model: 'Seeed MR60FDA2 on ESPHome (fall_detected binary sensor)',
    room: 'lounge',
    send: 'mqtt',
    at: 'lounge-radar/binary_sensor/falling_detected/state',
    normal: 'OFF',
    fall: 'ON',
  },
  {
    id: 'kitchen-radar',
    kind: 'fall',
    model: 'Seeed MR24FDB1 on ESPHome (fall_state text sensor)',
    room: 'kitchen',
    send: 'mqtt',
    at: 'kitchen-radar/text_sensor/mr24fdb1_fall_state/state',
    normal: 'None',
    fall: 'Real',
  },
  {
    id: 'landing-radar',
    kind: 'presence',
    model: 'a radar board with JSON-lines firmware, its falls on its presence row',
    room: 'landing',
    send: 'serial',
    at: 'radar1',
    normal: `${line('presence', true)}${line('fall', false)}`,
    fall: line('fall', true),
    hostile: line('fall', 'fallen'),
  },
];

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/** The fall readings of a device so far. */
const falls = (events: Event[], id: string) =>
  events.filter((e) => e.device === id && e.kind === 'fall').map((e) => e.value);

/** The gateway on a home with every device above, on a simulated clock, with what it says. */
async function home() {
  const dir = tempDir();
  const pty = await openPty();
  const link = join(dir, 'usb-radar-board-if00');
  pointLink(link, pty.path);
  const rows = DEVICES.map((d) => {
    const where = `kind: ${d.kind}, room: ${d.room}`;
    if (d.send === 'serial')
      return `{ id: ${d.id}, source: jsonl, port: ${link}, sensor: ${d.at}, ${where} }`;
    if (d.at.startsWith('zigbee2mqtt/'))
      return `{ id: ${d.id}, source: zigbee2mqtt, topic: ${d.at}, ${where} }`;
    const [node, , sensor] = d.at.split('/');
    return `{ id: ${d.id}, source: esphome, node: ${node}, sensor: ${sensor}, ${where} }`;
  });
  process.env.HEARTH_TEST_FALL_DEVICES = PASSWORD;
  const parsed = parseConfigText(`version: 1
gateway: { id: gw-falls, resident: r-falls, timezone: Europe/London }
rooms: [bathroom, bedroom, hall, kitchen, landing, lounge]
devices:
${rows.map((r) => `  - ${r}`).join('\n')}
local_broker:
  users:
    - name: devices
      password: "\${env:HEARTH_TEST_FALL_DEVICES}"
      publish: ["zigbee2mqtt/#", "lounge-radar/#", "kitchen-radar/#"]
`);
  if (!parsed.config) throw new Error(JSON.stringify(parsed.problems));
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const clock = new SimClock(local('2026-03-02 09:00'));
  const gw: Gateway = await startGateway({
    config: parsed.config,
    log: createLogger({ level: 'info', destination, pretty: false }),
    clock,
    storePath: join(dir, 'hearth.db'),
    listen: [{ host: '127.0.0.1', port: 0 }],
    bluetoothSysfs: dir,
  });
  stops.push(() => gw.stop());
  const events: Event[] = [];
  const alerts: AlertMessage[] = [];
  gw.bus.on('event', (e) => events.push(e));
  gw.bus.on('message', (m) => alerts.push(m.payload));
  const port = gw.broker.addresses()[0]?.port;
  const client = await mqtt.connectAsync({
    host: '127.0.0.1',
    port,
    username: 'devices',
    password: PASSWORD,
    reconnectPeriod: 0,
  });
  stops.push(() => client.endAsync(true));
  await until('the board open', () => gw.sources().some((s) => s.source === 'jsonl' && s.present));
  /** What the device sends, once it has reached the rules: each word above carries one fall reading. */
  const send = async (d: Device, what: string, arrived = () => falls(events, d.id).length) => {
    const before = arrived();
    if (d.send === 'serial') pty.send(what);
    else await client.publishAsync(d.at, what, { qos: 1 });
    await until(`${d.id}: ${what}`, () => arrived() > before);
  };
  const logs = () => lines.map((l) => String((JSON.parse(l) as { msg?: unknown }).msg)).join('\n');
  return { gw, clock, events, alerts, send, logs, pty };
}

describe('falls from real devices, through the gateway', () => {
  it.each(DEVICES)(
    '$model: a fall is an urgent alert at once; its end resolves it once acknowledged',
    async (d) => {
      const h = await home();
      // All is well: its state, presence included, and no fall.
      await h.send(d, d.normal);
      expect(falls(h.events, d.id)).toEqual([false]);
      h.clock.advance(60_000);
      await h.send(d, d.fall);
      expect(falls(h.events, d.id)).toEqual([false, true]);
      expect(h.alerts).toHaveLength(1);
      expect(h.alerts[0]).toMatchObject({
        rule: 'fall',
        state: 'raised',
        severity: 'urgent',
        device: d.id,
        room: d.room,
        reason: `A fall was detected by ${d.id} at 09:01.`,
      });
      expect(h.gw.engine.ack(h.alerts[0]?.alert_id ?? '', 'Sam (carer)')).toBe(true);
      // The fall state again, as Zigbee2MQTT republishes it, or a board repeats it: the same fall.
      h.clock.advance(60_000);
      await h.send(d, d.fall);
      // Over: she is up, or helped up.
      h.clock.advance(60_000);
      await h.send(d, d.normal);
      expect(falls(h.events, d.id)).toEqual([false, true, true, false]);
      expect(h.alerts.map((a) => [a.state, a.at.slice(11, 16)])).toEqual([
        ['raised', '09:01'],
        ['acknowledged', '09:01'],
        ['resolved', '09:03'],
      ]);
      expect(h.alerts[2]?.reason).toMatch(/after the acknowledgement/);
    },
  );

  it.each(DEVICES.filter((d) => d.hostile))(
    '$model: a fall state no table knows is refused with a message; the good readings are kept',
    async (d) => {
      const h = await home();
      if (d.send === 'mqtt') {
        // The radar's presence in the same message still counts.
        await h.send(d, d.hostile as string, () => h.events.length);
        expect(h.events.map((e) => [e.device, e.kind, e.value])).toEqual([[d.id, 'presence', true]]);
        await until('the refusal counted', () => h.gw.counters.get('mqtt.payload_refused') === 1);
        expect(h.logs()).toMatch(
          /payload refused: zigbee2mqtt\/bathroom_radar: fall_down_status: expected fall, none or maybe_fall, got "falling"/,
        );
      } else {
        h.pty.send(d.hostile as string);
        await until('the refusal logged', () =>
          /invalid jsonl line: value "fallen" is not a boolean for fall/.test(h.logs()),
        );
      }
      expect(h.alerts).toEqual([]);
      // The next good word from the same device is heard.
      await h.send(d, d.fall);
      expect(falls(h.events, d.id)).toEqual([true]);
      expect(h.alerts.map((a) => [a.rule, a.state, a.device])).toEqual([['fall', 'raised', d.id]]);
    },
  );
});
