// The provisioning file, version 1. This schema is the documentation: every default lives here,
// every field has a description, and config/schema.json is generated from it for editors.
import { z } from 'zod';
import { common, deviceKind, payloadKind } from './device-fields.ts';
import { esphome, shelly, tasmota, zigbee2mqtt } from './mqtt-rows.ts';
import { homeSettings, rules } from './rules-schema.ts';
import { speaker } from './speaker.ts';
import {
  cronExpression,
  duration,
  identifier,
  localTime,
  macAddress,
  secretRef,
  timeZone,
  topicFilter,
  uuid,
} from './values.ts';

export { KINDS, type Kind, kind, ROLES, type Role } from './device-fields.ts';

const port = z
  .string({ error: 'expected a serial port path such as /dev/serial/by-id/usb-Arduino_Uno_75833-if00' })
  // Absolute, not only /dev/: a link made by socat or by a udev rule elsewhere is a port too.
  .regex(/^\/\S+$/, {
    error: 'not a serial port path; expected an absolute path, best a stable /dev/serial/by-id/ path',
  })
  .describe('Serial port; prefer the stable /dev/serial/by-id/... path over /dev/ttyUSB0.');

const baud = z.number().int().positive().describe('Serial speed in baud.');

const PIN_HELP = 'expected a digital pin number (0-127) or an analog pin A0-A15';
// The regex carries the union's message too: zod reports a string that fails it from that branch
// alone, and "must match pattern /^A(1[0-5]|[0-9])$/" means nothing to a technician.
const firmataPin = z
  .union([z.number().int().min(0).max(127), z.string().regex(/^A(1[0-5]|[0-9])$/, { error: PIN_HELP })], {
    error: PIN_HELP,
  })
  .describe('Board pin: a digital pin number, or A0-A15 for an analog input.');

const firmata = z
  .strictObject({
    ...common,
    source: z.literal('firmata'),
    port,
    pin: firmataPin,
    kind: deviceKind.describe('What the pin senses, or `output` for a buzzer/LED.'),
    invert: z.boolean().default(false).describe('Read the pin inverted (a normally-closed reed switch).'),
    debounce: duration.prefault('50ms').describe('A change must hold this long to count.'),
    threshold: z.number().min(0).max(1023).optional().describe('Analog pins: reading above this is true.'),
    baud: baud.default(57600),
  })
  .describe('A pin of an Arduino running StandardFirmata.');

const ld2410 = z
  .strictObject({
    ...common,
    source: z.literal('ld2410'),
    port,
    kind: z.literal('presence').default('presence'),
    baud: baud.default(256000),
  })
  .describe('An HLK-LD2410 24 GHz mmWave presence radar on a USB-UART adapter.');

const jsonl = z
  .strictObject({
    ...common,
    source: z.literal('jsonl'),
    port,
    sensor: z
      .string({ error: 'expected the sensor name the firmware prints for this device, e.g. chair1' })
      .min(1, { error: 'empty sensor name; expected the name the firmware prints, e.g. chair1' })
      .describe('The `sensor` field the firmware prints for this device.'),
    kind: deviceKind,
    baud: baud.default(115200),
  })
  .describe('Custom firmware printing one JSON object per line.');

const bindkey = z
  .string()
  .regex(/^\$\{(env|file):[^}]+\}$/, {
    error: 'expected a reference ${env:NAME} or ${file:/path} to the 32-hex-digit bind key',
  })
  .describe('The AES key of an encrypted BTHome device, by reference.');

const bthome = z
  .strictObject({
    ...common,
    source: z.literal('bthome'),
    address: macAddress,
    bindkey: bindkey.optional(),
    kind: payloadKind.optional().describe('Only the readings of this kind are taken; by default every one.'),
  })
  .describe('A BLE device advertising BTHome v2 (Shelly BLU, BTHome thermometers).');

const ibeacon = z
  .strictObject({
    ...common,
    source: z.literal('ibeacon'),
    uuid,
    major: z.number({ error: 'expected the iBeacon major number (0-65535)' }).int().min(0).max(65535),
    minor: z.number({ error: 'expected the iBeacon minor number (0-65535)' }).int().min(0).max(65535),
    away_after: duration.prefault('2m').describe('Not seen for this long: presence false.'),
  })
  .describe('An iBeacon tag worn or carried by the resident: presence at home.');

const heartRate = z
  .strictObject({
    ...common,
    source: z.literal('heart-rate'),
    address: macAddress,
    interval: duration.prefault('60s').describe('At most one heart_rate reading (the mean) per interval.'),
  })
  .describe('A BLE heart-rate band (GATT Heart Rate Service).');

export const SOURCES = [
  'zigbee2mqtt',
  'esphome',
  'tasmota',
  'shelly',
  'firmata',
  'ld2410',
  'jsonl',
  'bthome',
  'ibeacon',
  'heart-rate',
] as const;

export const device = z.discriminatedUnion('source', [
  zigbee2mqtt,
  esphome,
  tasmota,
  shelly,
  firmata,
  ld2410,
  jsonl,
  bthome,
  ibeacon,
  heartRate,
]);
export type Device = z.infer<typeof device>;
export type Source = Device['source'];

const listener = z.strictObject({
  host: z.string().min(1).describe('Address to listen on; 127.0.0.1 keeps the broker inside the Pi.'),
  port: z.number().int().min(0).max(65535).describe('TCP port; 0 takes any free one (tests, the demo).'),
  tls: z
    .strictObject({ cert: z.string(), key: z.string(), ca: z.string().optional() })
    .optional()
    .describe('Serve MQTT over TLS with these PEM files.'),
  websocket: z.boolean().default(false).describe('MQTT over WebSocket on this listener.'),
});

const brokerUser = z.strictObject({
  name: identifier('user name'),
  password: secretRef,
  publish: z.array(topicFilter).default([]).describe('Topic filters this user may publish to.'),
  subscribe: z.array(topicFilter).default([]).describe('Topic filters this user may subscribe to.'),
});

const count = (n: number, what: string) => z.number().int().min(1).default(n).describe(what);

const brokerLimits = z
  .strictObject({
    max_connections: count(64, 'Signed-in connections at most, over all users.'),
    max_connections_per_user: count(
      8,
      'Signed-in connections of one user at most, so that no account can take every slot; keep users x this <= max_connections.',
    ),
    max_pending: count(
      16,
      'Connections that have not sent CONNECT yet, at most; a new one past this closes the oldest.',
    ),
    max_pending_per_address: count(
      4,
      'Connections from one address that have not sent CONNECT yet, at most; a new one past this closes the oldest from there.',
    ),
    connect_timeout: duration
      .prefault('5s')
      .describe('Time a new connection has to finish TLS or the WebSocket handshake and send CONNECT.'),
    max_failures: count(
      5,
      'Wrong passwords for one user name from one address in a minute before that name is refused there for sign_in_ban (other names, Zigbee2MQTT beside it, are not).',
    ),
    sign_in_ban: duration
      .prefault('5m')
      .describe('How long a user name is refused at an address after max_failures.'),
    max_address_failures: count(
      20,
      'Failed sign-ins from one address in a minute, over all names, past which names that have not signed in from there are refused until the minute has passed.',
    ),
    max_retained_per_user: z
      .number()
      .int()
      .min(1024)
      .default(4_194_304)
      .describe(
        "Bytes of retained messages one user's publishes may keep; past it a retained message is delivered but not kept.",
      ),
    max_retained: z
      .number()
      .int()
      .min(1024)
      .default(16_777_216)
      .describe('Bytes of retained messages kept at most, over all users.'),
    max_backlog: z
      .number()
      .int()
      .min(1024)
      .default(262_144)
      .describe(
        'Bytes waiting for a client that does not read (a dashboard on stalled Wi-Fi): past this its QoS 0 messages are dropped; past four times this, or with a QoS 1 message it cannot take, it is disconnected.',
      ),
    stalled_after: duration.prefault('30s').describe('A client over max_backlog this long is disconnected.'),
  })
  .prefault({})
  .describe("Bounds on what the local broker's clients can make the gateway hold; the defaults suit a home.");

const relay = z
  .strictObject({
    url: z
      .string({ error: 'expected the trust broker address, mqtts://host:port' })
      .regex(/^(mqtts?|wss?):\/\/[^\s/:]+(:\d+)?\/?$/, {
        error: 'expected mqtts://host:port (or mqtt://, ws://, wss://)',
      })
      .describe("The trust broker's address; mqtts:// with TLS is expected outside a lab."),
    ca: z.string().optional().describe('PEM file of the CA that signed the trust broker certificate.'),
    cert: z.string().optional().describe("This gateway's client certificate (PEM)."),
    key: z.string().optional().describe("This gateway's private key (PEM)."),
    username: z.string().optional(),
    password: secretRef.optional(),
    client_id: z.string().optional().describe('MQTT client id; by default hearth-{gateway.id}.'),
    hub_cert: z
      .string()
      .optional()
      .describe(
        "PEM file of the trust hub's certificate(s): a command is obeyed only when signed by one of them. Every message this gateway sends is signed with `key`.",
      ),
    queue: z
      .strictObject({
        max_rows: z
          .number()
          .int()
          .min(1000)
          .default(500_000)
          .describe('Messages held for the trust at most.'),
        max_bytes: z
          .number()
          .int()
          .min(1_048_576)
          .default(268_435_456)
          .describe('Bytes held for the trust at most.'),
      })
      .prefault({})
      .describe('When the queue is full, heartbeats go first, then the oldest summaries; alerts never.'),
    summary_format: z
      .enum(['json', 'fhir', 'both'])
      .default('json')
      .describe(
        'Daily summaries as the version-1 JSON message, a FHIR R4 Bundle (on .../summary/fhir), or both.',
      ),
    alert_undelivered_after: duration
      .prefault('2m')
      .describe('An alert not acknowledged by the trust broker for this long: the home is told.'),
    receipts: z
      .boolean()
      .default(true)
      .describe(
        "Keep each alert, summary and night until the hub's receipt says it stored it, sending it again (same id, with backoff) until then. Upgrade the hub first: an older hub sends no receipts, and the home says so (cannot confirm delivery). false: a message is done at the trust broker's PUBACK.",
      ),
    alert_unconfirmed_after: duration
      .prefault('10m')
      .describe(
        'With receipts on: an alert the hub has not confirmed storing for this long is a fault in the home (cannot confirm delivery), told as an undelivered alert is.',
      ),
    push: z
      .strictObject({
        url: z.url({
          protocol: /^https?$/,
          error: 'expected an https:// URL such as https://ntfy.example.org/care-team-7',
        }),
        token: secretRef.optional().describe('Bearer token, by reference.'),
        severity: z
          .enum(['warning', 'urgent'])
          .default('urgent')
          .describe('Push alerts of this severity and above.'),
      })
      .optional()
      .describe(
        'A direct path to carers (an ntfy-compatible POST) for urgent alerts; the trust broker stays the record.',
      ),
  })
  .describe('The trust broker that receives alerts and summaries.');

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1, { error: 'expected version: 1 (the only schema version)' }),
    gateway: z.strictObject({
      id: identifier('gateway id').describe('Unique per home; appears in MQTT topics.'),
      resident: identifier('resident id')
        .refine((s) => !/^\d{10}$/.test(s.replace(/[-_]/g, '')), {
          error: 'looks like an NHS number; use a pseudonymous id such as r-7f3a, never a real identifier',
        })
        .describe('Pseudonymous resident id: never a name or NHS number.'),
      timezone: timeZone,
    }),
    rooms: z.array(identifier('room name')).min(1).describe('Rooms of the home.'),
    devices: z.array(device).describe('One row per sensor or output.'),
    speaker: speaker.optional(),
    rules,
    home: homeSettings,
    schedules: z
      .strictObject({
        daily_summary: cronExpression.default('0 8 * * *'),
        night_summary_by: localTime
          .default('11:00')
          .describe(
            'The night is sent the morning it ends, once she has been up 30 minutes; at this local time at the latest, saying so if she is not up.',
          ),
        heartbeat: duration.prefault('60s').describe('Interval of the heartbeat to the trust.'),
        test_call: z
          .union([localTime, z.literal('off')])
          .optional()
          .describe(
            "Local time of the daily test call: an `info` alert through the whole chain to the trust, acknowledged there and confirmed here. Absent: a minute between 10:00 and 11:59 taken from the gateway's id, so that a trust's homes do not all call at once; off: none.",
          ),
        test_call_ack_within: duration
          .prefault('15m')
          .describe("The test call's acknowledgement not back within this long: a fault in the home."),
      })
      .prefault({}),
    local_broker: z
      .strictObject({
        listen: z
          .array(listener)
          .min(1)
          .default([{ host: '127.0.0.1', port: 1883, websocket: false }]),
        users: z.array(brokerUser).default([]),
        limits: brokerLimits,
      })
      .prefault({}),
    relay: relay.optional(),
    storage: z
      .strictObject({
        path: z.string().min(1).default('/var/lib/hearth/hearth.db').describe('The SQLite database file.'),
        keep_events: duration.prefault('30d').describe('Raw events older than this are deleted.'),
      })
      .prefault({}),
  })
  .describe('Hearth provisioning file, schema version 1.');

export type Config = z.infer<typeof configSchema>;
