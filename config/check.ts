// Cross-field checks that a schema of single fields cannot express. Pure: config in, problems out.
import { checkMqttRows, MQTT_DEFAULT_KINDS } from './check-mqtt.ts';
import { didYouMean, listOf, type Path, type Severity } from './problems.ts';
import { checkPromptOutputs } from './prompt-outputs.ts';
import type { Config, Device, Role, Source } from './schema.ts';
import { minutesOfDay } from './values.ts';

export type Finding = { severity: Severity; path: Path; message: string };

/** Kinds a source yields when a row names none. */
const SOURCE_KINDS: Partial<Record<Source, readonly string[]>> = {
  ibeacon: ['presence', 'rssi'],
  'heart-rate': ['heart_rate', 'battery'],
  ld2410: ['presence'],
  ...MQTT_DEFAULT_KINDS,
};

type Need = {
  kinds: string[];
  /** Sources that decide kinds by payload, so a row of theirs without `kind` may still fit. */
  payload: Source[];
  what: string;
};

const ROLE_NEEDS: Record<Role, Need> = {
  'help-button': {
    kinds: ['button'],
    payload: ['zigbee2mqtt', 'bthome'],
    what: 'a device that reports button presses (bthome, zigbee2mqtt, or kind: button)',
  },
  'front-door': {
    kinds: ['contact'],
    payload: ['zigbee2mqtt', 'bthome'],
    what: 'a door contact (zigbee2mqtt, bthome, or kind: contact)',
  },
  // No payload source: an output is driven, never reported, so it must be named.
  prompt: {
    kinds: ['output'],
    payload: [],
    what: 'an output (kind: output on a firmata row; output: siren, chime, bulb or relay on a zigbee2mqtt, shelly or tasmota row)',
  },
  ok: {
    kinds: ['button'],
    payload: ['zigbee2mqtt', 'bthome'],
    what: 'a button: a press answers the prompt ("I\'m OK")',
  },
  'check-in': {
    kinds: ['button'],
    payload: ['zigbee2mqtt', 'bthome', 'shelly'],
    what: 'a button (single press: good; double: so-so; long: not good)',
  },
  'visitor-button': {
    kinds: ['button'],
    payload: ['zigbee2mqtt', 'bthome', 'shelly'],
    what: 'a button (a press starts visitor mode for home.visitor_for; another ends it)',
  },
  wearable: {
    kinds: ['presence', 'heart_rate', 'steps', 'button'],
    payload: ['bthome'],
    what: 'a worn device (ibeacon, heart-rate or bthome)',
  },
};

function fits(d: Device, need: Need): boolean {
  if ('output' in d && d.output) return need.kinds.includes('output');
  if ('kind' in d && d.kind) return need.kinds.includes(d.kind);
  const fixed = SOURCE_KINDS[d.source];
  return fixed ? fixed.some((k) => need.kinds.includes(k)) : need.payload.includes(d.source);
}

/** Parts of a partially valid file the schema refused; their own problems are already reported. */
export type Refused = {
  /** The rooms list is unreadable, so no room can be called unknown. */
  rooms: boolean;
  /** Some device rows, or the whole list, were refused: a rule may name a device we cannot see. */
  devices: boolean;
  /**
   * The ids written on refused rows, each with the file index of its first row; absent when the
   * list itself, or a row's id, is unreadable.
   */
  deviceIds?: ReadonlyMap<string, number>;
  /** Fields of refused rules (`help_button.devices`), left out of the rules checked. */
  ruleFields?: ReadonlySet<string>;
  /** The speaker was written but refused. */
  speaker?: boolean;
};

export type CheckContext = {
  /** `rowIndex[i]` is the file's index of devices[i] when refused rows were left out (empty: none were). */
  rowIndex: number[];
  refused: Refused;
};

export function checkConfig(
  c: Config,
  { rowIndex, refused }: CheckContext = { rowIndex: [], refused: { rooms: false, devices: false } },
): Finding[] {
  const out: Finding[] = [];
  const err = (path: Path, message: string) => out.push({ severity: 'error', path, message });
  const warn = (path: Path, message: string) => out.push({ severity: 'warning', path, message });
  /** A refused row may be the one a rule names or needs; only its own problem is reported. */
  const mayBeRefused = (id?: string) =>
    refused.devices && (id === undefined || !refused.deviceIds || refused.deviceIds.has(id));

  const rooms = new Set<string>();
  c.rooms.forEach((r, i) => {
    if (rooms.has(r)) err(['rooms', i], `room "${r}" is listed twice; each room once`);
    rooms.add(r);
  });

  /** The whole rule was refused or only this field; either way its absence is not to be reported. */
  const unread = (field: string) => refused.ruleFields?.has(field) === true;
  const pins = new Map<string, number>();
  const portOwner = new Map<string, { source: string; index: number }>();
  c.devices.forEach((d, at) => {
    const i = rowIndex[at] ?? at;
    if (d.room !== undefined && !refused.rooms && !rooms.has(d.room))
      err(
        ['devices', i, 'room'],
        `unknown room "${d.room}"${didYouMean(d.room, [...rooms])}; rooms are: ${listOf([...rooms])}`,
      );

    if ('port' in d) {
      const owner = portOwner.get(d.port);
      if (owner && owner.source !== d.source)
        err(
          ['devices', i, 'port'],
          `${d.port} is already used by a ${owner.source} row (devices.${owner.index}); one device family per port`,
        );
      else if (!owner) portOwner.set(d.port, { source: d.source, index: i });
    }
    if (d.source === 'firmata') {
      const key = `${d.port}#${d.pin}`;
      const other = pins.get(key);
      if (other !== undefined)
        err(
          ['devices', i, 'pin'],
          `pin ${d.pin} on ${d.port} is already used by devices.${other}; one device per pin`,
        );
      else pins.set(key, i);
      if (typeof d.pin === 'string' && d.threshold === undefined && d.kind !== 'output')
        err(
          ['devices', i, 'threshold'],
          `analog pin ${d.pin} needs a threshold (0-1023) above which it reads true`,
        );
      if (typeof d.pin === 'number' && d.threshold !== undefined)
        warn(
          ['devices', i, 'threshold'],
          `threshold applies to analog pins (A0-A15) only; pin ${d.pin} is digital`,
        );
    }
    if (
      d.source === 'jsonl' &&
      c.devices.some((o, j) => j < at && o.source === 'jsonl' && o.port === d.port && o.sensor === d.sensor)
    )
      err(['devices', i, 'sensor'], `sensor "${d.sensor}" on ${d.port} is already used; one row per sensor`);
    const need = d.role && ROLE_NEEDS[d.role];
    if (need && !fits(d, need)) err(['devices', i, 'role'], `role ${d.role} needs ${need.what}`);
    if (d.source === 'bthome' && d.bindkey && /^[0-9a-fA-F]{32}$/.test(d.bindkey))
      warn(
        ['devices', i, 'bindkey'],
        'bind key written in the file; prefer a reference ${file:/etc/hearth/keys/ID.key}',
      );
  });

  for (const [id, i, first] of duplicates(c.devices, rowIndex, refused.deviceIds))
    err(['devices', i, 'id'], `duplicate device id "${id}"; already used by devices.${first}`);

  checkMqttRows(c.devices, (at) => rowIndex[at] ?? at, err);
  checkPromptOutputs(c, { indexOf: (at) => rowIndex[at] ?? at, refused }, err, warn);

  const deviceIds = [...firstRows(c.devices, rowIndex, refused.deviceIds).keys()];
  const named = (path: Path, id: string): Device | undefined => {
    const d = c.devices.find((x) => x.id === id);
    if (!d && !mayBeRefused(id))
      err(path, `unknown device "${id}"${didYouMean(id, deviceIds)}; devices are: ${listOf(deviceIds)}`);
    return d;
  };
  const r = c.rules;
  if (r.night_out_of_bed) {
    const bed = r.night_out_of_bed.device
      ? named(['rules', 'night_out_of_bed', 'device'], r.night_out_of_bed.device)
      : c.devices.find((d) => 'kind' in d && d.kind === 'bed');
    if (!bed && !r.night_out_of_bed.device && !mayBeRefused() && !unread('night_out_of_bed.device'))
      err(
        ['rules', 'night_out_of_bed'],
        'needs a bed sensor (a device with kind: bed); add one or remove the rule',
      );
    else if (bed && 'kind' in bed && bed.kind !== 'bed')
      err(['rules', 'night_out_of_bed', 'device'], `"${bed.id}" is not a bed sensor (kind: bed)`);
  }
  if (r.front_door_at_night) {
    const door = r.front_door_at_night.device
      ? named(['rules', 'front_door_at_night', 'device'], r.front_door_at_night.device)
      : c.devices.find((d) => d.role === 'front-door');
    if (!door && !r.front_door_at_night.device && !mayBeRefused() && !unread('front_door_at_night.device'))
      err(
        ['rules', 'front_door_at_night'],
        'needs a device with role: front-door; add the role or remove the rule',
      );
  }
  if (r.help_button) {
    for (const [i, id] of (r.help_button.devices ?? []).entries())
      named(['rules', 'help_button', 'devices', i], id);
    if (
      !r.help_button.devices &&
      !c.devices.some((d) => d.role === 'help-button') &&
      !mayBeRefused() &&
      !unread('help_button.devices')
    )
      warn(['rules', 'help_button'], 'no device has role: help-button, so this rule has nothing to watch');
  }
  if (r.not_up?.latest !== undefined && r.not_up.latest < r.not_up.by)
    err(
      ['rules', 'not_up', 'latest'],
      `"${r.not_up.latest}" is before by ("${r.not_up.by}"): the latest getting-up time must come after it`,
    );
  r.cold_home?.rooms?.forEach((room, i) => {
    if (!refused.rooms && !rooms.has(room))
      err(
        ['rules', 'cold_home', 'rooms', i],
        `unknown room "${room}"${didYouMean(room, [...rooms])}; rooms are: ${listOf([...rooms])}`,
      );
  });
  // A refused rule keeps only its readable fields (config/partial.ts): windows may be missing.
  const windows = r.inactivity?.windows ?? [];
  windows.forEach((w, i) => {
    if (w.from === w.to) err(['rules', 'inactivity', 'windows', i], 'a window needs from and to to differ');
    windows.forEach((o, j) => {
      if (j > i && overlaps(w, o))
        err(
          ['rules', 'inactivity', 'windows', j],
          `overlaps window ${i} (${w.from}-${w.to}); windows must not overlap`,
        );
    });
  });

  const users = new Set<string>();
  c.local_broker.users.forEach((u, i) => {
    if (users.has(u.name)) err(['local_broker', 'users', i, 'name'], `user "${u.name}" is listed twice`);
    users.add(u.name);
  });
  c.local_broker.listen.forEach((l, i) => {
    if (!l.tls && !['127.0.0.1', 'localhost', '::1'].includes(l.host))
      warn(
        ['local_broker', 'listen', i],
        `listening on ${l.host} without TLS: passwords cross the home network in clear`,
      );
  });

  if (c.relay) {
    // A refused relay keeps only its readable fields (config/partial.ts): the url may be missing.
    const { url = '', cert, key } = c.relay;
    if (Boolean(cert) !== Boolean(key))
      err(['relay', cert ? 'key' : 'cert'], 'a client certificate needs both cert and key');
    if (url.startsWith('mqtt://') || url.startsWith('ws://'))
      warn(['relay', 'url'], 'no TLS to the trust: alerts would cross the internet in clear; use mqtts://');
    if (!cert && !c.relay.username)
      warn(['relay'], 'no credentials: give cert and key, or username and password');
  }
  return out;
}

type Row = { id: string; i: number };

/** Every row's id at its file index, refused rows included: a twin must not hide behind a refusal. */
function allRows(devices: Device[], rowIndex: number[], refusedIds?: ReadonlyMap<string, number>): Row[] {
  const rows = devices.map((d, at) => ({ id: d.id, i: rowIndex[at] ?? at }));
  for (const [id, i] of refusedIds ?? []) rows.push({ id, i });
  return rows.sort((a, b) => a.i - b.i);
}

/** Each id with the file index of its first row. */
function firstRows(devices: Device[], rowIndex: number[], refusedIds?: ReadonlyMap<string, number>) {
  const first = new Map<string, number>();
  for (const { id, i } of allRows(devices, rowIndex, refusedIds)) if (!first.has(id)) first.set(id, i);
  return first;
}

/** Rows whose id an earlier row already has: [id, index, index of the first]. */
function duplicates(devices: Device[], rowIndex: number[], refusedIds?: ReadonlyMap<string, number>) {
  const first = firstRows(devices, rowIndex, refusedIds);
  return allRows(devices, rowIndex, refusedIds).flatMap(({ id, i }) => {
    const f = first.get(id) as number;
    return f === i ? [] : [[id, i, f] as const];
  });
}

/** Minutes of the day covered by a window, as [start, end) spans that do not cross midnight. */
function spans(w: { from: string; to: string }): [number, number][] {
  const a = minutesOfDay(w.from);
  const b = minutesOfDay(w.to);
  return a < b
    ? [[a, b]]
    : [
        [a, 1440],
        [0, b],
      ];
}

function overlaps(x: { from: string; to: string }, y: { from: string; to: string }): boolean {
  return spans(x).some(([a, b]) => spans(y).some(([c, d]) => a < d && c < b));
}
