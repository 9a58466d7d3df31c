// The provisioning file's prompt outputs: MQTT rows with `output:` and role prompt, the speaker,
// role ok; what check-config refuses about them, and the warnings of a prompt nobody would hear.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/parse.ts';
import { type MqttOutput, promptOutputs, promptTopic } from '../config/prompt-outputs.ts';

const Z2M_USER = `local_broker:
  users:
    - { name: zigbee2mqtt, password: "\${env:Z2M}", publish: ["zigbee2mqtt/#"], subscribe: ["zigbee2mqtt/#"] }
    - { name: plugs, password: "\${env:PLUGS}", publish: ["#"], subscribe: ["cmnd/#", "shellies/#", "shellyplus1-a8032ab12345/#"] }
`;

const home = (rows: string, more = '', users = Z2M_USER) => `version: 1
gateway: { id: gw-1, resident: r-1, timezone: Europe/London }
rooms: [hall, lounge]
devices:
  - { id: hall-motion, source: zigbee2mqtt, topic: zigbee2mqtt/hall_motion, room: hall }
${rows}
rules:
  inactivity:
    windows: [{ from: "07:00", to: "22:00", quiet: 3h }]
    prompt: 10m
${more}${users}`;

const parse = (text: string) => parseConfigText(text);
/** Every problem as "severity path  message". */
const problems = (text: string) =>
  parse(text).problems.map((p) => `${p.severity} ${p.path.join('.')}  ${p.message}`);

describe('prompt outputs in the provisioning file', () => {
  it('takes a siren, a chime, a bulb and relays of every family, a speaker and an ok button', () => {
    const r = parse(
      home(
        `  - { id: hall-siren, source: zigbee2mqtt, topic: zigbee2mqtt/hall_siren, room: hall, role: prompt, output: siren, level: low }
  - { id: lounge-chime, source: zigbee2mqtt, topic: zigbee2mqtt/lounge_chime, role: prompt, output: chime }
  - { id: lounge-lamp, source: zigbee2mqtt, topic: zigbee2mqtt/lounge_lamp, role: prompt, output: bulb }
  - { id: lamp-plug, source: zigbee2mqtt, topic: zigbee2mqtt/lamp_plug, role: prompt, output: relay }
  - { id: hall-relay, source: shelly, topic: shellyplus1-a8032ab12345, component: "switch:0", role: prompt, output: relay }
  - { id: old-relay, source: shelly, topic: shellies/shelly1-B929CC, component: "relay:0", role: prompt, output: relay }
  - { id: sounder, source: tasmota, topic: tasmota_5C8A1B, sensor: POWER2, role: prompt, output: relay }
  - { id: ok-button, source: zigbee2mqtt, topic: zigbee2mqtt/ok_button, room: lounge, role: ok }
  - { id: ok-plate, source: shelly, topic: shellyplusi4-c4d8d554b5e4, component: "input:0", kind: button, role: ok }`,
        'speaker: { words: "Are you OK, Mary? Press the green button.", every: 20s, voice: en-gb }\n',
      ),
    );
    expect(r.problems).toEqual([]);
    const c = r.config;
    expect(c?.speaker).toEqual({
      words: 'Are you OK, Mary? Press the green button.',
      every: 20_000,
      voice: 'en-gb',
      speed: 140,
      volume: 100,
    });
    expect(promptOutputs(c ?? { devices: [] })).toEqual([
      'hall-siren (siren)',
      'lounge-chime (chime)',
      'lounge-lamp (bulb)',
      'lamp-plug (relay)',
      'hall-relay (relay)',
      'old-relay (relay)',
      'sounder (relay)',
      'speaker',
    ]);
    const topics = (c?.devices ?? [])
      .filter((d) => 'output' in d && d.output)
      .map((d) => promptTopic(d as MqttOutput));
    expect(topics).toEqual([
      'zigbee2mqtt/hall_siren/set',
      'zigbee2mqtt/lounge_chime/set',
      'zigbee2mqtt/lounge_lamp/set',
      'zigbee2mqtt/lamp_plug/set',
      'shellyplus1-a8032ab12345/rpc',
      'shellies/shelly1-B929CC/relay/0/command',
      'cmnd/tasmota_5C8A1B/POWER2',
    ]);
  });

  it('gives the speaker its defaults: the words, every 30 s', () => {
    expect(parse(home('', 'speaker: {}\n')).config?.speaker).toEqual({
      words: 'Are you OK? Press the button if you are.',
      every: 30_000,
      speed: 140,
      volume: 100,
    });
  });

  it.each([
    [
      'an output without role prompt',
      '{ id: a, source: zigbee2mqtt, topic: zigbee2mqtt/a, output: siren }',
      'error devices.1.role  output: siren plays the prompt ("are you OK?"); give the row role: prompt',
    ],
    [
      'an output with another role',
      '{ id: a, source: zigbee2mqtt, topic: zigbee2mqtt/a, output: bulb, role: help-button }',
      'error devices.1.role  output: bulb plays the prompt ("are you OK?"); give the row role: prompt (not help-button)',
    ],
    [
      'role prompt on a sensor',
      '{ id: a, source: zigbee2mqtt, topic: zigbee2mqtt/a, role: prompt }',
      'error devices.1.role  role prompt needs an output (kind: output on a firmata row; output: siren',
    ],
    [
      'an unknown output',
      '{ id: a, source: zigbee2mqtt, topic: zigbee2mqtt/a, output: horn, role: prompt }',
      'error devices.1.output  "horn": unknown output; allowed: siren, chime, bulb, relay',
    ],
    [
      'a siren on a Tasmota',
      '{ id: a, source: tasmota, topic: t1, output: siren, role: prompt }',
      'error devices.1.output  "siren": a Tasmota device plays the prompt as a relay: output: relay',
    ],
    [
      'a level on a bulb',
      '{ id: a, source: zigbee2mqtt, topic: zigbee2mqtt/a, output: bulb, level: high, role: prompt }',
      'error devices.1.level  level is the sound level of a siren: it needs output: siren',
    ],
    [
      'a Tasmota output on a sensor object',
      '{ id: a, source: tasmota, topic: t1, sensor: AM2301, output: relay, role: prompt }',
      'error devices.1.sensor  a Tasmota relay output is POWER or POWER<n> (the relay it switches), not AM2301',
    ],
    [
      'a Shelly output on an input',
      '{ id: a, source: shelly, topic: shellyplus1-a8032ab12345, component: "input:0", output: relay, role: prompt }',
      'error devices.1.component  a Shelly relay output is the switch it drives, switch:0 (or relay:0 on a Gen1 device), not input:0',
    ],
    [
      'an output reading its own relay as motion',
      '{ id: a, source: shelly, topic: shellyplus1-a8032ab12345, component: "switch:0", kind: motion, output: relay, role: prompt }',
      'error devices.1.kind  an output row cannot read motion: its own relay switching on would look like movement',
    ],
    [
      'a Gen1 relay read as a sensor',
      '{ id: a, source: shelly, topic: shellies/shelly1-B929CC, component: "relay:0", kind: contact }',
      'error devices.1.component  relay:0 is a Gen1 Shelly relay: Hearth can drive it as a prompt output',
    ],
    [
      'role ok on a motion sensor',
      '{ id: a, source: zigbee2mqtt, topic: zigbee2mqtt/a, kind: motion, role: ok }',
      'error devices.1.role  role ok needs a button: a press answers the prompt ("I\'m OK")',
    ],
    [
      'kind output on a Zigbee row',
      '{ id: a, source: zigbee2mqtt, topic: zigbee2mqtt/a, kind: output, role: prompt }',
      'error devices.1.kind  "output": kind: output is for firmata and jsonl pins; a zigbee2mqtt, shelly or tasmota device plays the prompt with output:',
    ],
  ])('refuses %s', (_, row, want) => {
    const got = problems(home(`  - ${row}`));
    expect(
      got.some((p) => p.startsWith(want)),
      got.join('\n'),
    ).toBe(true);
  });

  it.each([
    [
      'words over 200 characters',
      `{ words: "${'Are you OK? '.repeat(20)}" }`,
      'speaker.words',
      'expected at most 200',
    ],
    ['a new line in the words', '{ words: "Are you\\nOK?" }', 'speaker.words', 'no control characters'],
    ['a voice that would be an option', '{ voice: "-w/etc/passwd" }', 'speaker.voice', 'not a voice name'],
    ['every 2 s', '{ every: 2s }', 'speaker.every', 'expected between 5s and 10m'],
    ['a relative WAV file', '{ wav: prompt.wav }', 'speaker.wav', 'expected an absolute path ending in .wav'],
    ['a misspelt key', '{ wordz: "Hello" }', 'speaker.wordz', 'unknown key "wordz" (did you mean "words"?)'],
  ])('refuses a speaker with %s', (_, speaker, path, words) => {
    const got = problems(home('', `speaker: ${speaker}\n`));
    expect(
      got.some((p) => p.startsWith(`error ${path}  `) && p.includes(words)),
      got.join('\n'),
    ).toBe(true);
  });
});

describe('check-config warns of a prompt nobody would hear', () => {
  const NO_PROMPT =
    /^warning rules\.inactivity\.prompt {2}a still spell .* asks the resident "are you OK\?" for 10 m, but nothing in the home can ask her: add a device with role: prompt/;

  it('warns when the rule prompts and nothing in the home can ask her', () => {
    const got = problems(home(''));
    expect(got.filter((p) => NO_PROMPT.test(p))).toHaveLength(1);
    expect(parse(home('')).config).toBeDefined();
  });

  it.each([
    ['a speaker', '', 'speaker: {}\n'],
    [
      'a Zigbee siren',
      '  - { id: s, source: zigbee2mqtt, topic: zigbee2mqtt/s, role: prompt, output: siren }',
      '',
    ],
    ['a Tasmota relay', '  - { id: s, source: tasmota, topic: t1, role: prompt, output: relay }', ''],
    [
      'a Firmata buzzer',
      '  - { id: s, source: firmata, port: /dev/ttyACM0, pin: 8, kind: output, role: prompt }',
      '',
    ],
  ])('says nothing with %s', (_, rows, more) => {
    expect(problems(home(rows, more))).toEqual([]);
  });

  it('warns for each rule that asks first: not up in the morning, out of bed at night (10 m by default)', () => {
    const rules = `  not_up: { by: "10:00" }
  night_out_of_bed: { window: { from: "22:00", to: "07:00" }, after: 30m }
`;
    const bed = '  - { id: bed, source: zigbee2mqtt, topic: zigbee2mqtt/bed, room: lounge, kind: bed }';
    const got = problems(home(bed).replace('prompt: 10m\n', `prompt: 10m\n${rules}`));
    expect(
      got.filter((p) =>
        /^warning rules\.not_up\.prompt {2}not being up by the morning's time first asks the resident "are you OK\?" for 10 m, but nothing in the home can ask her/.test(
          p,
        ),
      ),
    ).toHaveLength(1);
    expect(
      got.filter((p) =>
        /^warning rules\.night_out_of_bed\.prompt {2}being out of bed at night first asks/.test(p),
      ),
    ).toHaveLength(1);
    expect(problems(home(bed, 'speaker: {}\n').replace('prompt: 10m\n', `prompt: 10m\n${rules}`))).toEqual(
      [],
    );
  });

  it('says nothing when the rule does not prompt (prompt: 0)', () => {
    expect(problems(home('').replace('prompt: 10m', 'prompt: 0'))).toEqual([]);
  });

  it('counts a Firmata status LED and a JSON-lines output as nothing, and says why of the latter', () => {
    const got = problems(
      home(`  - { id: led, source: firmata, port: /dev/ttyACM0, pin: 13, kind: output }
  - { id: buzz, source: jsonl, port: /dev/ttyUSB1, sensor: b, kind: output, role: prompt }`),
    );
    expect(got.filter((p) => NO_PROMPT.test(p))).toHaveLength(1);
    expect(got.join('\n')).toMatch(/a jsonl output is not played by the gateway$/m);
  });

  it('does not blame a missing output on a row it could not read', () => {
    const got = problems(
      home('  - { id: s, source: zigbee2mqtt, topic: zigbee2mqtt/s, role: prompt, output: sirne }'),
    );
    expect(got.filter((p) => NO_PROMPT.test(p))).toEqual([]);
    expect(problems(home('', 'speaker: { every: 1s }\n')).filter((p) => NO_PROMPT.test(p))).toEqual([]);
  });

  it('warns when no broker user may hear the command, with the filter to add', () => {
    const rows = `  - { id: s, source: zigbee2mqtt, topic: zigbee2mqtt/hall_siren, role: prompt, output: siren }
  - { id: t, source: tasmota, topic: tasmota_1, role: prompt, output: relay }`;
    const narrow = `local_broker:
  users:
    - { name: zigbee2mqtt, password: "\${env:Z2M}", publish: ["zigbee2mqtt/#"], subscribe: ["zigbee2mqtt/bridge/#", "zigbee2mqtt/+/set"] }
`;
    expect(problems(home(rows, '', narrow))).toEqual([
      'warning devices.1.output  the device would never hear the prompt on zigbee2mqtt/hall_siren/set: no local_broker user may subscribe to zigbee2mqtt/#, which Zigbee2MQTT subscribes to; add "zigbee2mqtt/#" to the subscribe list of the user it signs in as',
      'warning devices.2.output  the device would never hear the prompt on cmnd/tasmota_1/POWER: no local_broker user may subscribe to it; add "cmnd/tasmota_1/#" to the subscribe list of the user it signs in as',
    ]);
    expect(problems(home(rows))).toEqual([]);
  });
});
