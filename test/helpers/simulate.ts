// Simulated days for rule tests: a small home, events written as local times, the real engine
// and a real SQLite store, every message collected with its local time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertMessage } from '../../cloud-relay/protocol/messages.ts';
import { parseConfigText } from '../../config/parse.ts';
import type { Config } from '../../config/schema.ts';
import { createLogger } from '../../core/log.ts';
import { Zone } from '../../core/zone.ts';
import { replay } from '../../gateway/engine/replay.ts';
import { Store } from '../../gateway/store/store.ts';

export const TZ = 'Europe/London';
export const zone = new Zone(TZ);

const DEVICES = `
devices:
  - { id: hall-motion,     source: zigbee2mqtt, topic: z/hall,     room: hall,     kind: motion }
  - { id: kitchen-motion,  source: zigbee2mqtt, topic: z/kitchen,  room: kitchen,  kind: motion }
  - { id: bedroom-motion,  source: zigbee2mqtt, topic: z/bedroom,  room: bedroom,  kind: motion }
  - { id: lounge-motion,   source: zigbee2mqtt, topic: z/lounge,   room: lounge,   kind: motion }
  - { id: front-door,      source: zigbee2mqtt, topic: z/door,     room: hall,     kind: contact, role: front-door }
  - { id: bed-pad,         source: zigbee2mqtt, topic: z/bed,      room: bedroom,  kind: bed }
  - { id: ok-button,       source: zigbee2mqtt, topic: z/ok,       room: lounge,   kind: button }
  - { id: pendant,         source: zigbee2mqtt, topic: z/pendant,  kind: button,   role: help-button }
  - { id: lounge-temp,     source: zigbee2mqtt, topic: z/temp,     room: lounge,   kind: temperature }
  - { id: remote-battery,  source: zigbee2mqtt, topic: z/remote,   room: lounge,   kind: battery }
`;

const CHECK_IN = `  - { id: check-in, source: zigbee2mqtt, topic: z/checkin, room: lounge, kind: button, role: check-in }\n`;

const TAG = `  - { id: wrist-tag, source: ibeacon, uuid: e2c56db5-dffb-48d2-b060-d0f5a71096e0, major: 7, minor: 1, role: wearable }\n`;

/** The rules section with every rule on (but check_in, which needs a check-in button). */
export const EVERY_RULE = `inactivity:
  windows:
    - { from: "07:00", to: "22:00", quiet: 3h }
    - { from: "22:00", to: "07:00", quiet: off }
  prompt: 10m
  escalate: 30m
not_up: { by: "10:00" }
night_out_of_bed:
  window: { from: "22:00", to: "07:00" }
  after: 30m
front_door_at_night:
  window: { from: "23:00", to: "06:00" }
help_button: {}
cold_home: { below: 16, for: 2h }
device_silent: { after: 6h }
low_battery: { below: 15 }`;

/** A provisioning file with the test home's devices and the given rules section (YAML). */
export function homeConfig(
  rules: string,
  opts: { tag?: boolean; checkIn?: boolean; timezone?: string; devices?: string[] } = {},
): Config {
  const more = (opts.devices ?? []).map((d) => `  - ${d}\n`).join('');
  const text = `version: 1
gateway: { id: gw-test, resident: r-test, timezone: ${opts.timezone ?? TZ} }
rooms: [bedroom, bathroom, kitchen, lounge, hall]
${DEVICES}${opts.tag ? TAG : ''}${opts.checkIn ? CHECK_IN : ''}${more}
rules:
${rules.replace(/^/gm, '  ')}
`;
  const r = parseConfigText(text);
  if (!r.config)
    throw new Error(r.problems.map((p) => `${p.line}: ${p.path.join('.')} ${p.message}`).join('\n'));
  return r.config;
}

/** "2026-03-02 07:31" (local, Europe/London) -> epoch ms; ":SS" may follow. */
export function local(text: string, z = zone): number {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d)(?::(\d\d))?$/.exec(text);
  if (!m) throw new Error(`bad local time ${text}`);
  return (
    z.fromLocal(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]) * 60 + Number(m[5])) +
    Number(m[6] ?? 0) * 1000
  );
}

export type Ev = [
  when: string,
  device: string,
  value: boolean | number | string,
  /** Where the row's kind is not the reading's (a presence radar's fall). */
  kind?: string,
];

/** EVENTS.jsonl lines from local-time events. */
export const toLines = (events: Ev[], z = zone): string[] =>
  events.map(([when, device, value, kind]) =>
    JSON.stringify({ at: new Date(local(when, z)).toISOString(), device, value, ...(kind ? { kind } : {}) }),
  );

export type Seen = { at: string; rule: string; state: string; severity: string; message: AlertMessage };

const quiet = createLogger({ level: 'silent' });

/**
 * Runs the events (and time until `until`) through the engine; returns every message. `ackAfterMs`:
 * a care team that acknowledges each alert raised to it this long after it arrives.
 */
export function simulate(
  config: Config,
  events: Ev[],
  until?: string,
  db?: string,
  opts: { ackAfterMs?: number } = {},
): Seen[] {
  const dir = db ? undefined : mkdtempSync(join(tmpdir(), 'hearth-sim-'));
  const store = Store.open(db ?? join(dir as string, 'sim.db'), { durability: 'off' });
  const z = new Zone(config.gateway.timezone);
  const seen: Seen[] = [];
  try {
    replay({
      config,
      store,
      lines: toLines(events, z),
      until: until ? local(until, z) : undefined,
      ...opts,
      log: quiet,
      deliver: (m) =>
        seen.push({
          at: m.payload.at.slice(0, 19).replace('T', ' '),
          rule: m.payload.rule,
          state: m.payload.state,
          severity: m.payload.severity,
          message: m.payload,
        }),
      skipped: (n, why) => {
        throw new Error(`line ${n} skipped: ${why}`);
      },
    });
  } finally {
    store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  return seen;
}

/** [local time, rule, state] triples: what the tables compare. */
export const states = (seen: Seen[]) => seen.map((s) => [s.at, s.rule, s.state]);
