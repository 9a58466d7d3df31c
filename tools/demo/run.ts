// `hearth demo`: the real gateway wiring on the demo provisioning file, in simulated time-lapse.
// A simulated Zigbee2MQTT publisher plays the resident's day into the local broker, simulated
// serial boards (the armchair pad, the chime) sit on pseudo-terminals, a virtual Bluetooth
// controller carries the help pendant and the wrist tag to the real noble source; a second
// broker plays the trust, with a monitoring centre that acknowledges alerts as a person would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { loadConfig } from '../../config/load.ts';
import { SimClock } from '../../core/clock.ts';
import { createLogger } from '../../core/log.ts';
import { Zone } from '../../core/zone.ts';
import { generatePassword } from '../../gateway/broker/credentials.ts';
import { startGateway } from '../../gateway/main.ts';
import { demoBoards } from './boards.ts';
import { DemoConsole, type DemoEvent } from './console.ts';
import { startDemoHub, untilAborted } from './console-hub.ts';
import { demoRadio, TAG_EVERY_MS } from './radio.ts';
import { DAY_MINUTES, demoScript } from './script.ts';
import { monitoringCentre, startTrust } from './trust.ts';

export const DEMO_CONFIG = fileURLToPath(new URL('../../config/examples/demo.yaml', import.meta.url));

export type DemoOptions = {
  /** Simulated seconds per real second; 'max' runs as fast as the machine allows. */
  speed: number | 'max';
  days: number;
  seed: number;
  json: boolean;
  color: boolean;
  signal?: AbortSignal;
  /** After the day, keep the hub and its care console running until the signal. */
  console?: boolean;
};

const MINUTE = 60_000;
/** The simulated clock moves in steps of at most this, so the console can follow. */
const STEP_MS = 5 * MINUTE;

export async function runDemo(o: DemoOptions, write: (s: string) => void): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-demo-'));
  const out = new DemoConsole({ json: o.json, color: o.color, tty: Boolean(process.stdout.isTTY), write });
  const closers: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const trust = await startTrust('gw-demo');
    closers.push(trust.close);
    process.env.HEARTH_DEMO_Z2M_PASSWORD = generatePassword();
    process.env.HEARTH_DEMO_RELAY_PASSWORD = trust.gatewayPassword;
    const air = demoRadio(dir);
    process.env.HEARTH_DEMO_PENDANT_KEY = air.key;
    const loaded = loadConfig(DEMO_CONFIG, { strictRefs: true });
    if (!loaded.config) throw new Error(loaded.problems.map((p) => p.message).join('; '));
    const config = {
      ...loaded.config,
      relay: {
        ...(loaded.config.relay as NonNullable<typeof loaded.config.relay>),
        url: `mqtt://127.0.0.1:${trust.port}`,
      },
    };
    const boards = await demoBoards(loaded.config.devices);
    closers.push(boards.close);
    config.devices = boards.devices;
    if (boards.missing) out.event({ kind: 'scene', at: '', text: `No serial boards: ${boards.missing}` });
    const zone = new Zone(config.gateway.timezone);
    const start = zone.fromLocal(2026, 1, 13, 23 * 60 + 30); // a Tuesday night in January
    const clock = new SimClock(start);
    const stamp = (t: number) =>
      `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][zone.parts(t).weekday]} ${zone.hm(t)}`;
    const emit = (e: DemoEvent) => out.event(e);

    const gw = await startGateway({
      config,
      log: createLogger({ level: 'silent' }),
      clock,
      storePath: join(dir, 'hearth.db'),
      bluetoothSysfs: air.sysfs,
    });
    closers.push(() => gw.stop());
    gw.bus.on('message', (m) =>
      emit({
        kind: 'alert',
        at: stamp(m.at),
        rule: m.payload.rule,
        state: m.payload.state,
        severity: m.payload.severity,
        reason: m.payload.reason,
        local: m.local,
      }),
    );
    const centre = await monitoringCentre({
      port: trust.port,
      password: trust.centrePassword,
      gateway: config.gateway.id,
      clock,
      delayMs: 5 * MINUTE,
      onArrival: (a) => {
        if (a.message.type === 'summary')
          emit({ kind: 'summary', at: stamp(clock.now()), date: String(a.message.date), summary: a.message });
      },
      onAck: (alertId) => emit({ kind: 'ack', at: stamp(clock.now()), alert_id: alertId }),
    });
    closers.push(centre.close);
    const hub = o.console
      ? await startDemoHub({
          dir,
          trustPort: trust.port,
          user: 'centre',
          password: trust.centrePassword,
          gateway: config.gateway.id,
          resident: config.gateway.resident,
          timezone: config.gateway.timezone,
          now: () => clock.now(),
        })
      : null;
    if (hub) closers.push(hub.stop);
    const broker = gw.broker.addresses()[0];
    const z2m = await mqtt.connectAsync({
      host: '127.0.0.1',
      port: broker?.port,
      username: 'zigbee2mqtt',
      password: process.env.HEARTH_DEMO_Z2M_PASSWORD,
      reconnectPeriod: 0,
    });
    closers.push(() => z2m.endAsync());
    await boards.start(clock);
    while (!gw.relay?.connected) await pause(5);
    const scanning = Date.now() + 5_000;
    while (!gw.sources().some((x) => x.source === 'ble' && x.present) && Date.now() < scanning)
      await pause(5);

    // Wait for what is in flight: readings into the log, messages to the trust, acks back.
    let published = 0;
    let bleEvents = 0;
    // Every alert state bound for the trust, until the centre has it: acks come at its own minute.
    const toTrust = new Set<string>();
    gw.bus.on('message', (m) => {
      if (!m.local) toTrust.add(m.payload.id);
    });
    const settle = async () => {
      const until = Date.now() + 3000;
      while (Date.now() < until) {
        const ingested =
          gw.counters.get('ingest.accepted') + gw.counters.get('mqtt.payload_refused') - bleEvents;
        const heard =
          centre.received() >= gw.counters.get('relay.delivered') &&
          [...toTrust].every((id) => centre.heard(id));
        if (ingested >= published && gw.store.outbox.depth() === 0 && heard && centre.pending() === 0) return;
        await pause(2);
      }
    };

    let prompting = false;
    gw.bus.on('output', (x) => {
      if (x.pattern === 'prompt') prompting = true;
      if (x.pattern === 'prompt-end') prompting = false;
    });
    const script = demoScript(o.days, o.seed);
    let tagAt = start;
    let pendantEvents = 0;
    gw.bus.on('event', (e) => {
      if (e.device === 'pendant') pendantEvents++;
      // BLE readings are waited for on their own: the tag's come when it pleases.
      if (e.device === 'pendant' || e.device === 'wrist-tag') bleEvents++;
    });
    const end = start + (o.days * DAY_MINUTES + 9 * 60) * MINUTE; // through the last morning's summary
    // The care team reads last night at once: the morning after the last day, it asks for today's
    // summary (the scheduled one, at 08:00, is of the whole day before).
    const ask = start + (o.days * DAY_MINUTES + 8 * 60 + 35) * MINUTE;
    let asked = false;
    let i = 0;
    const realStart = Date.now();
    while (clock.now() < end && !o.signal?.aborted) {
      if (!asked && clock.now() >= ask) {
        asked = true;
        emit({
          kind: 'scene',
          at: stamp(clock.now()),
          text: "The care team asks for this morning's summary: last night",
        });
        centre.requestSummary(zone.date(clock.now()));
        await settle();
      }
      // Stop at every timer too, so what a timer sends reaches the trust at its own instant.
      const next = Math.min(
        end,
        clock.now() + STEP_MS,
        start + (script[i]?.at ?? Number.POSITIVE_INFINITY) * MINUTE,
        clock.nextAt() ?? end,
        tagAt,
        asked ? end : ask,
      );
      clock.advanceTo(next);
      if (clock.now() >= tagAt) {
        tagAt = clock.now() + TAG_EVERY_MS;
        // Heard before time moves on, or the tag would seem to leave and come back.
        const heard = gw.counters.get('ble.heard');
        if (air.tagHome && air.tag()) await waitFor(() => gw.counters.get('ble.heard') > heard);
      }
      while (script[i] && start + (script[i]?.at ?? 0) * MINUTE <= clock.now()) {
        const step = script[i++];
        if (step?.scene) emit({ kind: 'scene', at: stamp(clock.now()), text: step.scene });
        if (step?.device) {
          published++;
          await z2m.publishAsync(`zigbee2mqtt/${step.device}`, JSON.stringify(step.payload), { qos: 1 });
        }
        if (step?.ble) {
          if ('tagHome' in step.ble) air.tagHome = step.ble.tagHome;
          else {
            // Stored at this instant, before time moves on: wait for the pendant's reading itself.
            const before = pendantEvents;
            if ('press' in step.ble) air.press();
            else air.battery(step.ble.battery);
            await waitFor(() => pendantEvents > before);
          }
        }
        if (step?.serial && !boards.missing) {
          published++;
          boards.armchair(step.serial.value);
        }
      }
      await settle();
      // Told once per prompt, when its first beep has reached the board's pin over the pty.
      if (prompting && (await boards.chimed())) {
        prompting = false;
        emit({
          kind: 'scene',
          at: stamp(clock.now()),
          text: "The chime sounds: three beeps from the board's buzzer",
        });
      }
      out.progress((clock.now() - start) / (end - start), stamp(clock.now()));
      // Paced against the wall clock from the start, so the work of each step is not added to it.
      if (o.speed !== 'max') await pause(realStart + (clock.now() - start) / o.speed - Date.now());
    }
    out.done();
    if (hub && !o.signal?.aborted) {
      write(
        o.json
          ? `${JSON.stringify({ kind: 'console', url: hub.url, user: hub.user, password: hub.password })}\n`
          : `\nThe care console: ${hub.url}  (sign in as ${hub.user}, password ${hub.password})\nCtrl-C stops it.\n`,
      );
      await untilAborted(o.signal);
    }
    return 0;
  } finally {
    for (const c of closers.reverse()) await c();
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits up to a second for `ok`. */
async function waitFor(ok: () => boolean): Promise<void> {
  const until = Date.now() + 1_000;
  while (!ok() && Date.now() < until) await pause(1);
}
