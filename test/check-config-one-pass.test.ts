// `hearth check-config` lists every problem of a file in one pass: a section the schema refuses
// still has its cross-references checked on the parts that can be read, so a technician does not
// fix one batch only to be shown the next.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHearth } from './helpers/cli.ts';
import { tempDir } from './helpers/tmp.ts';

// A problem in every section; in rules, devices and local_broker both a refused key and a
// cross-reference the refusal used to hide.
const FILE = `version: 2
gateway:
  id: gw-a
  resident: r-1
  timezone: Mars/Olympus
rooms: [bedroom, lounge, lounge]
devices:
  - { id: lounge-motion, source: zigbee2mqtt, topic: zigbee2mqtt/lounge, room: lounge, colour: red }
  - { id: bed-pad, source: zigbee2mqtt, topic: zigbee2mqtt/bed, room: bedroom, kind: bed }
  - { id: lounge-motion, source: zigbee2mqtt, topic: zigbee2mqtt/lounge2, room: loungee }
rules:
  inactivity:
    windows:
      - { from: "07:00", to: "22:00", quiet: 3h }
    prompt: soon
  help_button:
    devices: [pendant]
    escalate: 15m
    colour: red
  cold_home:
    below: 16
    for: 2h
    rooms: [kitchen]
    when: always
home:
  mat_hold: never
schedules:
  heartbeat: often
local_broker:
  users:
    - { name: z2m, password: "\${env:HEARTH_ONE_PASS_A}", publish: ["zigbee2mqtt/#"] }
    - { name: z2m, password: "\${env:HEARTH_ONE_PASS_B}", publish: ["zigbee2mqtt/#"] }
  colour: red
storage:
  keep_events: forever
relay:
  url: mqtts://trust.example:8883
  cert: /etc/hearth/gw.crt
  colour: red
`;

describe('check-config, a file with a problem in every section', () => {
  it('reports all of them at once, the cross-references of refused sections included', async () => {
    const dir = tempDir();
    const file = join(dir, 'home.yaml');
    writeFileSync(file, FILE);
    const { code, output } = await runHearth(['check-config', file]);
    expect(code).toBe(2);
    const lines = output
      .trim()
      .split('\n')
      .map((l) => l.replace(file, 'home.yaml'));
    expect(lines).toEqual([
      'home.yaml:1:10  version  2: expected version: 1 (the only schema version)',
      'home.yaml:5:13  gateway.timezone  "Mars/Olympus": unknown time zone; expected an IANA zone such as Europe/London',
      'home.yaml:6:26  rooms.2  room "lounge" is listed twice; each room once',
      'home.yaml:8:88  devices.0.colour  unknown key "colour"; allowed here: id, room, role, silent, source, topic, kind, output, level',
      'home.yaml:10:11  devices.2.id  duplicate device id "lounge-motion"; already used by devices.0',
      'home.yaml:10:81  devices.2.room  unknown room "loungee" (did you mean "lounge"?); rooms are: bedroom, lounge',
      'home.yaml:15:13  rules.inactivity.prompt  "soon": not a duration; expected a duration such as 30s, 10m, 3h, 1h30m or 30d, or 0 for none',
      'home.yaml:17:15  rules.help_button.devices.0  unknown device "pendant"; devices are: lounge-motion, bed-pad',
      'home.yaml:19:5  rules.help_button.colour  unknown key "colour"; allowed here: devices, escalate',
      'home.yaml:23:13  rules.cold_home.rooms.0  unknown room "kitchen"; rooms are: bedroom, lounge',
      'home.yaml:24:5  rules.cold_home.when  unknown key "when"; allowed here: below, for, rooms',
      'home.yaml:26:13  home.mat_hold  "never": not a duration; expected a duration such as 30s, 10m, 3h, 1h30m or 30d',
      'home.yaml:28:14  schedules.heartbeat  "often": not a duration; expected a duration such as 30s, 10m, 3h, 1h30m or 30d',
      'home.yaml:31:30  local_broker.users.0.password  warning: ${env:HEARTH_ONE_PASS_A} cannot be resolved: environment variable HEARTH_ONE_PASS_A is not set',
      'home.yaml:32:15  local_broker.users.1.name  user "z2m" is listed twice',
      'home.yaml:32:30  local_broker.users.1.password  warning: ${env:HEARTH_ONE_PASS_B} cannot be resolved: environment variable HEARTH_ONE_PASS_B is not set',
      'home.yaml:33:3  local_broker.colour  unknown key "colour"; allowed here: listen, users, limits',
      'home.yaml:35:16  storage.keep_events  "forever": not a duration; expected a duration such as 30s, 10m, 3h, 1h30m or 30d',
      'home.yaml:36:1  relay.key  a client certificate needs both cert and key',
      'home.yaml:39:3  relay.colour  unknown key "colour"; allowed here: url, ca, cert, key, username, password, client_id, hub_cert, queue, summary_format, alert_undelivered_after, receipts, ...',
      'home.yaml: 18 problems; the file was not accepted',
    ]);
  });
});
