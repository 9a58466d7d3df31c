// Shelly Gen2/Gen3 over MQTT: RPC notifications on <prefix>/events/rpc, as
// {"src":..., "method":"NotifyStatus"|"NotifyFullStatus", "params":{"temperature:0":{"tC":21.6},...}}
// (a component's changed status, or all of them after a wake-up) and
// {"method":"NotifyEvent", "params":{"events":[{"component":"input:0","event":"single_push"}]}}.
// Components are keyed type:id; the tables are by type.
import { HEALTH_KINDS } from '../../config/device-fields.ts';
import type { Mapper, MqttRow } from './mapper.ts';
import { Collector, type Field, isObject, lookup, PRESSES, payloadObject, show, walk } from './table.ts';

type Row = Extract<MqttRow, { source: 'shelly' }>;

/** What Hearth reads in each component type's status. */
export const SHELLY_STATUS: Readonly<Record<string, readonly Field[]>> = {
  temperature: [{ path: ['tC'], kind: 'temperature', read: { as: 'number' } }],
  humidity: [{ path: ['rh'], kind: 'humidity', read: { as: 'number' } }],
  devicepower: [{ path: ['battery', 'percent'], kind: 'battery', read: { as: 'number' } }],
  flood: [{ path: ['alarm'], kind: 'water_leak', read: { as: 'bool' } }],
  wifi: [{ path: ['rssi'], kind: 'rssi', read: { as: 'number' } }],
  // An input in switch mode (a reed switch, a PIR's relay) or a relay: only the row knows what it
  // senses, and only for the component it names. A button-mode input's state is null: skipped.
  input: [{ path: ['state'], kind: 'row', read: { as: 'bool' } }],
  switch: [{ path: ['output'], kind: 'row', read: { as: 'bool' } }],
};

/** What Hearth reads in each component type's events. */
export const SHELLY_EVENTS: Readonly<Record<string, readonly Field[]>> = {
  // btn_down/btn_up come before every single_push, double_push or long_push: not presses themselves.
  input: [
    {
      path: ['event'],
      kind: 'button',
      read: { as: 'press', names: PRESSES, ignore: /^btn_(down|up)$/, unknown: 'keep' },
    },
  ],
};

const METHODS: Readonly<Record<string, 'status' | 'events'>> = {
  NotifyStatus: 'status',
  NotifyFullStatus: 'status',
  NotifyEvent: 'events',
};

/** A component's fields this row takes: its own component's, or health from any of them. */
function fieldsFor(
  table: Readonly<Record<string, readonly Field[]>>,
  component: string,
  row: Row,
): readonly Field[] {
  const fields = lookup(table, component.split(':')[0] ?? '') ?? [];
  if (row.component === component) return fields;
  return fields.filter(
    (f) => f.kind !== 'row' && (row.component === undefined || HEALTH_KINDS.includes(f.kind)),
  );
}

function readStatus(params: Record<string, unknown>, row: Row, c: Collector): void {
  for (const [component, status] of Object.entries(params)) {
    const fields = fieldsFor(SHELLY_STATUS, component, row);
    if (fields.length === 0) continue;
    // A sensor that cannot read says so in `errors` and reports null.
    const errors = isObject(status) ? status.errors : undefined;
    if (Array.isArray(errors) && errors.length > 0)
      c.problem(component, `the device reports errors ${show(errors)}`);
    walk(fields, status, row.kind, c, { label: component });
  }
}

function readEvents(params: Record<string, unknown>, row: Row, c: Collector): void {
  if (!Array.isArray(params.events)) {
    c.problem('params.events', `expected a list of events, got ${show(params.events)}`);
    return;
  }
  params.events.forEach((e: unknown, i) => {
    const component = isObject(e) ? e.component : undefined;
    if (typeof component !== 'string') {
      c.problem(`params.events.${i}`, `expected an event with a component, got ${show(e)}`);
      return;
    }
    walk(fieldsFor(SHELLY_EVENTS, component, row), e, row.kind, c, { label: component });
  });
}

export const shelly: Mapper<Row> = {
  source: 'shelly',
  // A Gen1 relay (relay:N) publishes nothing Hearth reads: it is only driven, as a prompt output.
  filters: (row) => (row.component?.startsWith('relay:') ? [] : [`${row.topic}/events/rpc`]),
  map(row, topic, payload, now) {
    const c = new Collector(
      row,
      topic,
      now,
      (kind, first) => `${kind} already read from ${first}; name one component in the row (component: ...)`,
    );
    if (topic !== `${row.topic}/events/rpc`) return c.result;
    const body = payloadObject(payload, c);
    if (!body) return c.result;
    if (typeof body.method !== 'string') {
      c.problem(
        'method',
        `expected an RPC notification (NotifyStatus, NotifyEvent...), got ${show(body.method)}`,
      );
      return c.result;
    }
    // Other notifications (NotifyWakeup, ...) carry no reading.
    const what = lookup(METHODS, body.method);
    if (!what) return c.result;
    if (!isObject(body.params)) c.problem('params', `expected an object, got ${show(body.params)}`);
    else if (what === 'status') readStatus(body.params, row, c);
    else readEvents(body.params, row, c);
    return c.result;
  },
};
