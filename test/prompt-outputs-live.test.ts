// A Zigbee-only home asks "are you OK?" and hears the answer: the gateway with its real local
// broker (aedes) and the real espeak-ng, a Zigbee siren and the speaker as prompt outputs, a Zigbee
// button with role ok. Zigbee2MQTT is played by an MQTT client signed in as its user, publishing
// and subscribing as Zigbee2MQTT does. Time is a simulated clock the test moves to the pre-alert.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/parse.ts';
import { SimClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { startGateway } from '../gateway/main.ts';
import { tempDir } from './helpers/tmp.ts';
import { requireTool } from './helpers/tools.ts';
import { until } from './helpers/until.ts';

const WORDS = 'Are you OK? Press the button by the sofa.';
const Z2M = { username: 'zigbee2mqtt', password: 'z2m-secret-for-the-prompt-test' };
const SIREN_ON = '{"warning":{"mode":"emergency","level":"medium","strobe":true,"duration":10}}';
const SIREN_OFF = '{"warning":{"mode":"stop"}}';

const homeText = (dir: string) => `version: 1
gateway: { id: gw-prompt, resident: r-prompt, timezone: Europe/London }
rooms: [hall, lounge]
devices:
  - { id: hall-motion, source: zigbee2mqtt, topic: zigbee2mqtt/hall_motion, room: hall }
  - { id: hall-siren, source: zigbee2mqtt, topic: zigbee2mqtt/hall_siren, room: hall, role: prompt, output: siren }
  - { id: ok-button, source: zigbee2mqtt, topic: zigbee2mqtt/ok_button, room: lounge, role: ok }
speaker: { words: "${WORDS}", every: 30s, wav: ${join(dir, 'prompt.wav')} }
rules:
  inactivity:
    windows: [{ from: "06:00", to: "23:00", quiet: 2h }]
    prompt: 10m
local_broker:
  users:
    - { name: zigbee2mqtt, password: "\${env:HEARTH_TEST_PROMPT_Z2M}", publish: ["zigbee2mqtt/#"], subscribe: ["zigbee2mqtt/#"] }
storage: { path: ${join(dir, 'hearth.db')} }
`;

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

beforeAll(() => {
  requireTool('espeak-ng', 'espeak-ng');
  process.env.HEARTH_TEST_PROMPT_Z2M = Z2M.password;
});

async function home() {
  const dir = tempDir();
  const parsed = parseConfigText(homeText(dir));
  if (!parsed.config)
    throw new Error(parsed.problems.map((p) => `${p.path.join('.')} ${p.message}`).join('\n'));
  expect(parsed.problems).toEqual([]);
  const clock = new SimClock(Date.parse('2026-03-02T09:00:00Z'));
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(JSON.parse(chunk.toString()).msg);
      done();
    },
  });
  const log = createLogger({ level: 'info', destination, pretty: false });
  const gw = await startGateway({
    config: parsed.config,
    log,
    clock,
    listen: [{ host: '127.0.0.1', port: 0 }],
  });
  stops.push(() => gw.stop());
  const port = gw.broker.addresses()[0]?.port;
  const connect = async (as: { username: string; password: string }) => {
    const c = await mqtt.connectAsync({ host: '127.0.0.1', port, reconnectPeriod: 0, ...as });
    stops.push(() => c.endAsync(true));
    return c;
  };
  // Zigbee2MQTT subscribes to the whole of its base topic, and hears its devices' set commands there.
  const z2m = await connect(Z2M);
  const sets: { topic: string; text: string }[] = [];
  const barrier = { seen: 0 };
  z2m.on('message', (topic, payload) => {
    if (topic.endsWith('/set')) sets.push({ topic, text: payload.toString() });
    if (topic === 'zigbee2mqtt/bridge/barrier') barrier.seen++;
  });
  await z2m.subscribeAsync('zigbee2mqtt/#', { qos: 1 });
  // A dashboard in the home, as the gateway's own user: every alert state, pre-alerts included.
  const local = await connect(gw.broker.credential);
  const alerts: { state: string; reason: string }[] = [];
  local.on('message', (_t, payload) => alerts.push(JSON.parse(payload.toString())));
  await local.subscribeAsync('hearth/local/alert', { qos: 1 });
  /** Everything the gateway published before this has reached Zigbee2MQTT once this comes back. */
  const settled = async () => {
    const want = barrier.seen + 1;
    await z2m.publishAsync('zigbee2mqtt/bridge/barrier', 'x');
    await until('the barrier', () => barrier.seen >= want);
  };
  const said = () => lines.filter((l) => l === `speaker: said "${WORDS}"`).length;
  return { dir, gw, clock, z2m, sets, alerts, lines, said, settled };
}

describe('the prompt in a Zigbee-only home', () => {
  it('sounds the siren and speaks through the pre-alert, and an ok press cancels it and stops them both', async () => {
    const h = await home();
    const { gw, clock, z2m, sets, alerts } = h;
    const events: string[] = [];
    gw.bus.on('event', (e) => events.push(`${e.device} ${e.kind} ${String(e.value)}`));

    // Seen in the hall at 09:00; still for the two hours allowed: "are you OK?" at 11:00.
    await z2m.publishAsync('zigbee2mqtt/hall_motion', '{"occupancy":true,"battery":87,"linkquality":120}');
    await until('the motion', () => events.includes('hall-motion motion true'));
    const preAlertAt = gw.engine.nextWake();
    expect(preAlertAt).toBe(Date.parse('2026-03-02T11:00:00Z'));
    clock.advanceTo(preAlertAt ?? 0);
    await until('the pre-alert on hearth/local/alert', () => alerts.some((a) => a.state === 'pre-alert'));

    // The siren's warning arrives at Zigbee2MQTT on its set topic; the speaker says the words.
    await until('the siren asked', () => sets.length === 1);
    expect(sets).toEqual([{ topic: 'zigbee2mqtt/hall_siren/set', text: SIREN_ON }]);
    await until('the words said', () => h.said() === 1);
    const wav = readFileSync(join(h.dir, 'prompt.wav'));
    expect(wav.subarray(0, 4).toString() + wav.subarray(8, 12).toString()).toBe('RIFFWAVE');
    expect(wav.length).toBeGreaterThan(44 + 2 * 22_050);

    // Not answered yet: both ask again 30 s on.
    clock.advance(30_000);
    await until('the siren asked again', () => sets.length === 2);
    await until('the words said again', () => h.said() === 2);

    // She presses the Zigbee button, as Zigbee2MQTT publishes a press (and then clears the action).
    await z2m.publishAsync('zigbee2mqtt/ok_button', '{"action":"single","battery":100,"linkquality":96}');
    await z2m.publishAsync('zigbee2mqtt/ok_button', '{"action":"","battery":100,"linkquality":96}');
    await until('the cancellation', () => alerts.some((a) => a.state === 'cancelled'));
    expect(alerts.map((a) => a.state)).toEqual(['pre-alert', 'cancelled']);
    expect(alerts[1]?.reason).toBe('The resident pressed "I\'m OK" (ok-button) at 11:00.');
    await until('the siren stopped', () => sets.length === 3);
    expect(sets[2]).toEqual({ topic: 'zigbee2mqtt/hall_siren/set', text: SIREN_OFF });
    // The press was movement too: the still spell counts afresh from it.
    expect(events).toContain('ok-button button press');
    expect(gw.engine.nextWake()).toBe(Date.parse('2026-03-02T13:00:30Z'));

    // Nothing asks again once she has answered.
    clock.advance(5 * 60_000);
    await h.settled();
    expect(sets).toHaveLength(3);
    expect(h.said()).toBe(2);
    expect(h.lines).toContain('prompt: asking on hall-siren (siren)');
    expect(h.lines).toContain('prompt: stopped on hall-siren (it ended)');
  });

  it('stops the siren when carers are alerted instead, the prompt unanswered', async () => {
    const h = await home();
    const { gw, clock, z2m, sets, alerts } = h;
    const events: string[] = [];
    gw.bus.on('event', (e) => events.push(e.device));
    await z2m.publishAsync('zigbee2mqtt/hall_motion', '{"occupancy":true}');
    await until('the motion', () => events.includes('hall-motion'));
    clock.advanceTo(Date.parse('2026-03-02T11:00:00Z'));
    await until('the siren asked', () => sets.length === 1);
    // Ten minutes, asked every 30 s, then raised: the siren stops, and says nothing after.
    clock.advanceTo(Date.parse('2026-03-02T11:10:00Z'));
    await until('raised', () => alerts.some((a) => a.state === 'raised'));
    await h.settled();
    expect(sets.filter((s) => s.text === SIREN_ON)).toHaveLength(20);
    expect(sets.at(-1)).toEqual({ topic: 'zigbee2mqtt/hall_siren/set', text: SIREN_OFF });
    clock.advance(10 * 60_000);
    await h.settled();
    expect(sets.filter((s) => s.text === SIREN_OFF)).toHaveLength(1);
    expect(sets).toHaveLength(21);
  });
});
