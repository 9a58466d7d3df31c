// The prompt on devices of the local broker: what each device is sent (the table, one known row
// in, topic and payloads out), and when (the driver on a simulated clock the test moves): at once,
// again while she is asked, the stop once when it ends, past its bound, or when the gateway stops.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { MqttOutput } from '../config/prompt-outputs.ts';
import { device } from '../config/schema.ts';
import { SimClock } from '../core/clock.ts';
import { Counters } from '../core/counters.ts';
import { createLogger } from '../core/log.ts';
import { promptCommand } from '../firmware-bridge/mqtt/prompt-commands.ts';
import { MqttPromptOutputs } from '../firmware-bridge/mqtt/prompt-outputs.ts';
import { shelly } from '../firmware-bridge/mqtt/shelly.ts';
import { Bus } from '../gateway/bus.ts';
import type { OutMessage } from '../gateway/engine/messages.ts';
import { linkStatusOutputs, promptOutputs } from '../gateway/parts/outputs.ts';

const row = (r: Record<string, unknown>) => device.parse({ id: 'dev', role: 'prompt', ...r }) as MqttOutput;

describe('what each device is sent', () => {
  it.each([
    [
      'a Zigbee siren: its warning in 10 s bursts, medium unless told, and the stop',
      { source: 'zigbee2mqtt', topic: 'zigbee2mqtt/hall_siren', output: 'siren' },
      {
        topic: 'zigbee2mqtt/hall_siren/set',
        start: '{"warning":{"mode":"emergency","level":"medium","strobe":true,"duration":10}}',
        everyMs: 30_000,
        end: '{"warning":{"mode":"stop"}}',
      },
    ],
    [
      'a Zigbee siren turned down',
      { source: 'zigbee2mqtt', topic: 'zigbee2mqtt/hall_siren', output: 'siren', level: 'low' },
      {
        topic: 'zigbee2mqtt/hall_siren/set',
        start: '{"warning":{"mode":"emergency","level":"low","strobe":true,"duration":10}}',
        everyMs: 30_000,
        end: '{"warning":{"mode":"stop"}}',
      },
    ],
    [
      'a Zigbee chime: its alarm switch',
      { source: 'zigbee2mqtt', topic: 'zigbee2mqtt/chime', output: 'chime' },
      { topic: 'zigbee2mqtt/chime/set', start: '{"alarm":true}', everyMs: 30_000, end: '{"alarm":false}' },
    ],
    [
      'a Zigbee bulb: its breathe effect, again as each ends, then stop_effect',
      { source: 'zigbee2mqtt', topic: 'zigbee2mqtt/lounge_lamp', output: 'bulb' },
      {
        topic: 'zigbee2mqtt/lounge_lamp/set',
        start: '{"effect":"breathe"}',
        everyMs: 15_000,
        end: '{"effect":"stop_effect"}',
      },
    ],
    [
      'a Zigbee plug',
      { source: 'zigbee2mqtt', topic: 'zigbee2mqtt/lamp_plug', output: 'relay' },
      {
        topic: 'zigbee2mqtt/lamp_plug/set',
        start: '{"state":"ON"}',
        everyMs: 30_000,
        end: '{"state":"OFF"}',
      },
    ],
    [
      'a Tasmota relay, the first',
      { source: 'tasmota', topic: 'tasmota_5C8A1B', output: 'relay' },
      { topic: 'cmnd/tasmota_5C8A1B/POWER', start: 'ON', everyMs: 30_000, end: 'OFF' },
    ],
    [
      'a Tasmota relay, the second',
      { source: 'tasmota', topic: 'tasmota_5C8A1B', sensor: 'POWER2', output: 'relay' },
      { topic: 'cmnd/tasmota_5C8A1B/POWER2', start: 'ON', everyMs: 30_000, end: 'OFF' },
    ],
    [
      'a Shelly Gen2 switch, by RPC, its answer kept under its own prefix',
      { source: 'shelly', topic: 'shellyplus2pm-abc', component: 'switch:1', output: 'relay' },
      {
        topic: 'shellyplus2pm-abc/rpc',
        start: '{"id":1,"src":"shellyplus2pm-abc/hearth","method":"Switch.Set","params":{"id":1,"on":true}}',
        everyMs: 30_000,
        end: '{"id":1,"src":"shellyplus2pm-abc/hearth","method":"Switch.Set","params":{"id":1,"on":false}}',
      },
    ],
    [
      'a Shelly Gen1 relay',
      { source: 'shelly', topic: 'shellies/shelly1-B929CC', component: 'relay:0', output: 'relay' },
      { topic: 'shellies/shelly1-B929CC/relay/0/command', start: 'on', everyMs: 30_000, end: 'off' },
    ],
  ])('%s', (_, r, want) => {
    expect(promptCommand(row(r))).toEqual(want);
  });
});

describe('a Gen1 Shelly relay', () => {
  it('is driven and never subscribed to: it publishes nothing Hearth reads', () => {
    const gen1 = row({
      source: 'shelly',
      topic: 'shellies/shelly1-B929CC',
      component: 'relay:0',
      output: 'relay',
    });
    const gen2 = row({ source: 'shelly', topic: 'shellyplus1-abc', component: 'switch:0', output: 'relay' });
    expect(shelly.filters(gen1 as Parameters<typeof shelly.filters>[0])).toEqual([]);
    expect(shelly.filters(gen2 as Parameters<typeof shelly.filters>[0])).toEqual([
      'shellyplus1-abc/events/rpc',
    ]);
  });
});

/** The driver with a siren and a bulb, on a simulated clock, publishing into a list. */
function rig(o: { boundMs?: number; fail?: boolean } = {}) {
  const clock = new SimClock(Date.UTC(2026, 2, 2, 13, 0));
  const sent: { at: number; topic: string; payload: string }[] = [];
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(JSON.parse(chunk.toString()).msg);
      done();
    },
  });
  const log = createLogger({ level: 'info', destination, pretty: false });
  const publish = async (topic: string, payload: string) => {
    if (o.fail) throw new Error('the broker is closing');
    sent.push({ at: clock.now() - Date.UTC(2026, 2, 2, 13, 0), topic, payload });
  };
  const driver = new MqttPromptOutputs(
    [
      row({ id: 'hall-siren', source: 'zigbee2mqtt', topic: 'z/siren', output: 'siren' }),
      row({ id: 'lamp', source: 'zigbee2mqtt', topic: 'z/lamp', output: 'bulb' }),
    ],
    publish,
    { clock, log },
    { boundMs: o.boundMs ?? 11 * 60_000 },
  );
  /** What was sent, as "seconds topic payload-kind". */
  const seen = () =>
    sent.map((s) => `${s.at / 1000} ${s.topic} ${/stop|"mode":"stop"/.test(s.payload) ? 'end' : 'start'}`);
  return { clock, driver, sent, seen, lines };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('when each device is sent it', () => {
  it('asks at once, again while she is asked, and stops each output once when the prompt ends', async () => {
    const { clock, driver, seen, lines } = rig();
    driver.output({ pattern: 'prompt' });
    clock.advance(31_000);
    driver.output({ pattern: 'prompt-end' });
    clock.advance(120_000);
    await tick();
    expect(seen()).toEqual([
      '0 z/siren/set start',
      '0 z/lamp/set start',
      '15 z/lamp/set start',
      '30 z/siren/set start',
      '30 z/lamp/set start',
      '31 z/siren/set end',
      '31 z/lamp/set end',
    ]);
    expect(lines).toEqual([
      'prompt: asking on hall-siren (siren), lamp (bulb)',
      'prompt: stopped on hall-siren, lamp (it ended)',
    ]);
  });

  it('is not asked twice by a second prompt, and leaves the link patterns to the status LED', async () => {
    const { clock, driver, seen } = rig();
    driver.output({ pattern: 'link-down' });
    driver.output({ pattern: 'prompt-end' });
    driver.output({ pattern: 'prompt' });
    driver.output({ pattern: 'prompt' });
    driver.output({ pattern: 'link-ok' });
    clock.advance(10_000);
    expect(seen()).toEqual(['0 z/siren/set start', '0 z/lamp/set start']);
  });

  it('stops by itself past its bound, when no end came', async () => {
    const { clock, driver, seen, lines } = rig({ boundMs: 40_000 });
    driver.output({ pattern: 'prompt' });
    clock.advance(600_000);
    expect(seen().filter((s) => s.endsWith('end'))).toEqual(['40 z/siren/set end', '40 z/lamp/set end']);
    expect(seen()).toHaveLength(7);
    expect(lines).toContain('prompt: no end came within 1 min; stopping the outputs');
    // And a later prompt asks again.
    driver.output({ pattern: 'prompt' });
    expect(seen()).toHaveLength(9);
  });

  it('leaves nothing sounding when the gateway stops mid-prompt', async () => {
    const { driver, seen } = rig();
    driver.output({ pattern: 'prompt' });
    await driver.stop();
    expect(seen()).toEqual([
      '0 z/siren/set start',
      '0 z/lamp/set start',
      '0 z/siren/set end',
      '0 z/lamp/set end',
    ]);
  });

  it('logs a publish that fails, and carries on', async () => {
    const { driver, lines } = rig({ fail: true });
    driver.output({ pattern: 'prompt' });
    await tick();
    expect(lines).toContain('prompt: could not publish to hall-siren');
    expect(() => driver.output({ pattern: 'prompt-end' })).not.toThrow();
  });
});

describe('the prompt, as alert states ask for it', () => {
  const told = (states: [string, string, string][]) => {
    const bus = new Bus(createLogger({ level: 'silent' }), new Counters());
    const patterns: string[] = [];
    bus.on('output', (o) => patterns.push(o.pattern));
    const part = promptOutputs(bus);
    void part.start(new AbortController().signal);
    for (const [alert_id, rule, state] of states)
      bus.emit('message', {
        topic: 't',
        local: false,
        at: 0,
        payload: { alert_id, rule, state } as OutMessage['payload'],
      });
    part.stop();
    return patterns;
  };

  it('ends when the question goes on to carers, whichever rule asked, and when it is cancelled', () => {
    expect(
      told([
        ['n1', 'not_up', 'pre-alert'],
        ['n1', 'not_up', 'raised'],
        ['b1', 'night_out_of_bed', 'pre-alert'],
        ['b1', 'night_out_of_bed', 'raised'],
        ['i1', 'inactivity', 'pre-alert'],
        ['i1', 'inactivity', 'cancelled'],
        // Raised without being asked (prompt: 0): nothing was sounding.
        ['h1', 'help_button', 'raised'],
      ]),
    ).toEqual(['prompt', 'prompt-end', 'prompt', 'prompt-end', 'prompt', 'prompt-end']);
  });
});

describe('the link-down pattern, for every fault at once', () => {
  it('stays down while any fault lasts: a delivery that recovers does not clear a failing disk', () => {
    const bus = new Bus(createLogger({ level: 'silent' }), new Counters());
    const patterns: string[] = [];
    bus.on('output', (o) => patterns.push(o.pattern));
    const part = linkStatusOutputs(bus);
    void part.start(new AbortController().signal);
    const delivery = (undelivered: boolean) =>
      bus.emit('delivery', {
        undelivered,
        oldestAlertAgeS: null,
        unconfirmed: false,
        oldestUnconfirmedAlertAgeS: null,
        reason: null,
      });
    bus.emit('fault', { source: 'storage', fault: 'ENOSPC' });
    delivery(true);
    delivery(false);
    bus.emit('fault', { source: 'test call', fault: 'no acknowledgement' });
    bus.emit('fault', { source: 'storage', fault: null });
    bus.emit('fault', { source: 'test call', fault: null });
    part.stop();
    expect(patterns).toEqual(['link-down', 'link-down', 'link-down', 'link-down', 'link-down', 'link-ok']);
  });
});
