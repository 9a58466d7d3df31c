// ESPHome over MQTT: each entity publishes its state on <topic_prefix>/<domain>/<object_id>/state,
// as text (binary_sensor "ON"/"OFF", sensor "21.50", text_sensor any words) or, for event
// entities, as JSON {"event_type": "..."}. The payload alone does not say what an entity senses,
// so the row's kind does; the table says which domain can carry which kind.
import type { Mapper, MqttRow } from './mapper.ts';
import {
  Collector,
  type Field,
  kindFor,
  lookup,
  PRESSES,
  payloadObject,
  payloadText,
  walk,
} from './table.ts';

type Row = Extract<MqttRow, { source: 'esphome' }>;
type Domain = { json: boolean; fields: readonly Field[] };

export const ESPHOME_DOMAINS: Readonly<Record<string, Domain>> = {
  binary_sensor: {
    json: false,
    fields: [
      // ON = detected, occupied, open: ESPHome's device classes mean what Hearth's kinds mean.
      { path: [], kind: 'row', read: { as: 'on-off' } },
      // A push button as a binary sensor: ON is the press, OFF its release.
      {
        path: [],
        kind: 'button',
        read: { as: 'press', names: { on: 'press' }, ignore: /^off$/i, unknown: 'refuse' },
      },
    ],
  },
  sensor: { json: false, fields: [{ path: [], kind: 'row', read: { as: 'number-text' } }] },
  // A text sensor says whatever words its component chose, so Hearth reads only a fall state, in
  // the words of a component it knows: the Seeed MR24FDB1's (esphome-mr24fdb1, fall_state): Real,
  // Suspected (not yet a fall), None. Any other word is refused, "fall" too: a DFRobot SEN0623
  // component's status text says "fall" for its fall-detection mode. Where the component has a
  // fall binary_sensor (ON = a fall, as the Seeed MR60FDA2's fall_detected), that is the one to read.
  text_sensor: {
    json: false,
    fields: [
      {
        path: [],
        kind: 'fall',
        read: { as: 'enum', names: { real: true, none: false }, ignore: ['suspected'] },
      },
    ],
  },
  event: {
    json: true,
    fields: [
      {
        path: ['event_type'],
        kind: 'button',
        read: { as: 'press', names: PRESSES, ignore: /(^|_)release$/i, unknown: 'keep' },
      },
    ],
  },
};

const stateTopic = (row: Row, domain: string) => `${row.node}/${domain}/${row.sensor}/state`;

/**
 * The domains whose values can be this row's own kind. An entity is one thing: a presence row is
 * not subscribed to a text sensor of its name for the falls a presence row takes elsewhere.
 */
const domainsOf = (row: Row): string[] =>
  Object.entries(ESPHOME_DOMAINS)
    .filter(([, d]) => d.fields.some((f) => kindFor(f, row.kind) === row.kind))
    .map(([name]) => name);

export const esphome: Mapper<Row> = {
  source: 'esphome',
  filters: (row) => domainsOf(row).map((d) => stateTopic(row, d)),
  map(row, topic, payload, now) {
    const c = new Collector(row, topic, now);
    const name = domainsOf(row).find((d) => stateTopic(row, d) === topic);
    const domain = name === undefined ? undefined : lookup(ESPHOME_DOMAINS, name);
    if (!domain) return c.result;
    const subject = domain.json ? payloadObject(payload, c) : payloadText(payload, c);
    if (subject !== undefined)
      walk(domain.fields, subject, row.kind, c, { label: domain.json ? '' : 'state' });
    return c.result;
  },
};
