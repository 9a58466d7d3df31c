// Hostile payloads on the local broker's device topics: whatever a publisher sends, the payload is
// refused (logged and counted) and the next good reading of that device still arrives.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../config/parse.ts';
import { MAPPERS, type MqttRow, router } from '../../firmware-bridge/mqtt/index.ts';
import type { Mapper } from '../../firmware-bridge/mqtt/mapper.ts';
import { buildRouter } from '../../firmware-bridge/mqtt/router.ts';
import { MqttDevices } from '../../firmware-bridge/mqtt/source.ts';
import { parseLine } from '../../firmware-bridge/serial/jsonl-driver.ts';
import { driverContext } from '../helpers/driver-context.ts';
import { heard, type RunningHome, runningHome } from '../helpers/running-home.ts';

const homes: RunningHome[] = [];
afterEach(async () => {
  for (const h of homes.splice(0)) await h.stop();
});

/**
 * `levels` of `open` around a number: JSON.parse copes with thousands, a recursive walk of the
 * result (JSON.stringify, a logger, a deep equality) overflows the stack.
 */
const nested = (levels: number, open = '[') =>
  `${open.repeat(levels)}1${(open === '[' ? ']' : '}').repeat(levels)}`;

/** One row of each local-broker source, its topic, a payload around a value, and a good one. */
const SOURCES = [
  {
    device: 'hall-motion',
    topic: 'zigbee2mqtt/hall_motion',
    hostile: (v: string) => `{"temperature":${v}}`,
    good: '{"occupancy":true}',
  },
  {
    device: 'kitchen-button',
    topic: 'kitchen-node/event/btn/state',
    hostile: (v: string) => `{"event_type":${v}}`,
    good: '{"event_type":"single"}',
  },
  {
    device: 'lounge-plug',
    topic: 'tele/tasmota_5C8A1B/SENSOR',
    hostile: (v: string) => `{"AM2301":{"Temperature":${v}}}`,
    good: '{"AM2301":{"Temperature":21.5}}',
  },
  {
    device: 'bath-ht',
    topic: 'shellyplusht-1/events/rpc',
    hostile: (v: string) => `{"method":"NotifyStatus","params":{"temperature:0":{"tC":${v}}}}`,
    good: '{"method":"NotifyStatus","params":{"temperature:0":{"tC":20.5}}}',
  },
];

const ROWS = `  - { id: kitchen-button, source: esphome, node: kitchen-node, sensor: btn, kind: button, room: kitchen }
  - { id: lounge-plug, source: tasmota, topic: tasmota_5C8A1B, room: lounge }
  - { id: bath-ht, source: shelly, topic: shellyplusht-1, room: bathroom }
`;
const USER = `    - name: devices
      password: "\${env:HEARTH_TEST_DEVICES}"
      publish: ["kitchen-node/#", "tele/#", "shellyplusht-1/#", "zigbee2mqtt/#"]
`;

/** The reference home with a device of every local-broker source, and no relay. */
const everySource = (text: string) =>
  text
    .replace(/^( {2}- \{ id: fridge-door.*\n)/m, `$1${ROWS}`)
    .replace(/^( {2}users:\n)/m, `$1${USER}`)
    .replace(/^relay:\n(?: {2}.*\n)+/m, '');

describe('hostile payloads through hearth run', () => {
  it('a 6,000-level payload on a device topic of each source is refused, counted, and the next reading arrives on hearth/local/reading', async () => {
    const home = await runningHome(everySource);
    homes.push(home);
    const reader = await home.connect();
    const got = heard(reader);
    await reader.subscribeAsync(['hearth/local/reading/#', 'hearth/local/status']);
    const device = await home.connect({ username: 'devices', password: 'devices-secret' });
    // QoS 0: a gateway that died would never acknowledge, and the wait below says it died.
    for (const s of SOURCES) {
      device.publish(s.topic, s.hostile(nested(6000)));
      device.publish(s.topic, s.good);
    }
    const arrived = (d: string) => got.some((g) => g.topic === `hearth/local/reading/${d}`);
    await home.until('a reading of every device', () => SOURCES.every((s) => arrived(s.device)));
    // The refusals are counted where a technician sees them: the status on the local broker.
    const refused = () =>
      got
        .filter((g) => g.topic === 'hearth/local/status')
        .map((g) => JSON.parse(g.text).counters?.['mqtt.payload_refused'] ?? 0);
    await reader.publishAsync('hearth/local/status/request', '');
    await home.until('the refusals counted', () => refused().some((n) => n >= SOURCES.length));
    expect(home.gw.output()).toMatch(/payload refused: .*nested deeper than/);
    expect(await home.stop()).toBe(0);
  });
});

/** The rows of the home above, as the provisioning schema gives them. */
function mqttRows(): MqttRow[] {
  const parsed = parseConfigText(`version: 1
gateway: { id: gw-1, resident: r-1, timezone: Europe/London }
rooms: [hall, kitchen, lounge, bathroom]
devices:
  - { id: hall-motion, source: zigbee2mqtt, topic: zigbee2mqtt/hall_motion, room: hall }
${ROWS}`);
  if (!parsed.config) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config.devices as MqttRow[];
}

/** The local-broker source as the gateway runs it, fed by hand instead of by the broker. */
function devicesFed(rows: MqttRow[], route = router(rows)) {
  const d = driverContext();
  let refused = 0;
  const handlers = new Map<string, (topic: string, payload: Buffer) => void>();
  const source = new MqttDevices(
    rows,
    route,
    (filter, handler) => {
      handlers.set(filter, handler);
      return () => handlers.delete(filter);
    },
    { ...d.ctx, counted: (n) => (refused += n) },
  );
  const send = (topic: string, payload: Buffer | string) =>
    handlers.get(topic)?.(topic, Buffer.isBuffer(payload) ? payload : Buffer.from(payload));
  return { source, send, readings: d.readings, logs: d.logs, refused: () => refused };
}

describe('the local-broker mappers', () => {
  const rows = mqttRows();
  const source = fc.constantFrom(...SOURCES);
  /** What a device, a fuzzer or an attacker might send: bytes, JSON, deep nesting, a good payload mutated. */
  const garbage = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    fc.json().map((j) => Buffer.from(j)),
    fc
      .tuple(
        source,
        fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 5000, max: 20_000 })),
        fc.constantFrom('[', '{"tC":', '{"a":'),
      )
      .map(([s, levels, open]) => Buffer.from(s.hostile(nested(levels, open)))),
    fc
      .tuple(source, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
      .map(([s, edits]) => {
        const b = Buffer.from(s.good);
        for (const [i, v] of edits) b[i % b.length] = v;
        return b;
      }),
  );

  it('random, deep and mutated payloads never throw, and a good reading after any of them is still mapped', async () => {
    fc.assert(
      fc.property(source, garbage, (s, bad) => {
        const fed = devicesFed(rows);
        void fed.source.start();
        fed.send(s.topic, bad);
        fed.readings.length = 0;
        fed.send(s.topic, s.good);
        expect(fed.readings.map((r) => r.device)).toContain(s.device);
      }),
      { numRuns: 400 },
    );
  });

  it('a mapper that throws is a refusal, logged and counted; the other rows of the topic and later messages still map', async () => {
    const [hall] = rows;
    const twin = { ...hall, id: 'hall-twin' } as MqttRow;
    const broken: Mapper = {
      ...MAPPERS.zigbee2mqtt,
      map: (row, topic, payload, now) => {
        if (row.id === 'hall-twin' && payload.toString() === 'boom') throw new TypeError('a bug in a mapper');
        return MAPPERS.zigbee2mqtt.map(row, topic, payload, now);
      },
    };
    const fed = devicesFed(
      [hall as MqttRow, twin],
      buildRouter([hall as MqttRow, twin], { ...MAPPERS, zigbee2mqtt: broken }),
    );
    await fed.source.start();
    fed.send('zigbee2mqtt/hall_motion', 'boom');
    expect(fed.refused()).toBeGreaterThanOrEqual(1);
    expect(fed.logs()).toMatch(/payload refused: .*a bug in a mapper/);
    fed.send('zigbee2mqtt/hall_motion', '{"occupancy":true}');
    expect(fed.readings.map((r) => r.device).sort()).toEqual(['hall-motion', 'hall-twin']);
  });

  it('a serial JSON line nested thousands deep is refused, not walked', () => {
    const line = `{"sensor":"chair1","value":${nested(5000)}}`;
    expect(parseLine(line)).toMatchObject({ ok: false });
  });
});
