// The composition root: builds every part of the gateway, starts them in order and stops them
// in reverse. Nothing else in the gateway opens a resource of its own.

import type { Config, Device } from '../config/schema.ts';
import { AdapterPresence } from '../firmware-bridge/ble/adapter-presence.ts';
import type { Driver, DriverContext, SourceStatus } from '../firmware-bridge/driver.ts';
import { PortPresence } from '../firmware-bridge/serial/port-presence.ts';
import { Bus } from './bus.ts';
import type { Cancel, Clock } from './clock.ts';
import { Counters } from './counters.ts';
import { RuleEngine } from './engine/engine.ts';
import { type IngestResult, indexDevices, ingest } from './ingest.ts';
import type { Logger } from './log.ts';
import { Store } from './store/store.ts';

export type GatewayOptions = {
  config: Config;
  log: Logger;
  clock: Clock;
  /** Overrides storage.path (the demo and tests keep their database in a temporary folder). */
  storePath?: string;
  /** Where to look for Bluetooth adapters; tests point it at a folder of their own. */
  bluetoothSysfs?: string;
};

export type Gateway = {
  store: Store;
  engine: RuleEngine;
  bus: Bus;
  counters: Counters;
  /** Takes one Reading through ingest into the event log, as a source would. */
  submit(reading: unknown): IngestResult;
  sources(): SourceStatus[];
  stop(): Promise<void>;
};

const SERIAL_SOURCES = new Set<Device['source']>(['firmata', 'ld2410', 'jsonl']);
const BLE_SOURCES = new Set<Device['source']>(['bthome', 'ibeacon', 'heart-rate']);
const HOUR = 3_600_000;

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config, log, clock } = opts;
  const counters = new Counters();
  const bus = new Bus(log, counters);
  const stack: { name: string; stop: () => Promise<void> | void }[] = [];
  const abort = new AbortController();

  const unwind = async () => {
    abort.abort();
    while (stack.length) {
      const part = stack.pop();
      try {
        await part?.stop();
        log.debug({ part: part?.name }, 'stopped');
      } catch (err) {
        log.error({ err, part: part?.name }, 'failed to stop cleanly');
      }
    }
  };

  try {
    const storePath = opts.storePath ?? config.storage.path;
    const store = Store.open(storePath);
    stack.push({ name: 'store', stop: () => store.close() });
    log.info({ path: storePath, outbox: store.outboxDepth() }, 'store open');

    const devices = indexDevices(config);
    const engine = new RuleEngine({
      config,
      devices,
      store,
      clock,
      log,
      counters,
      deliver: (m) => {
        log.info(
          { alert_id: m.payload.alert_id, state: m.payload.state, rule: m.payload.rule },
          m.payload.reason,
        );
        bus.emit('message', m);
      },
    });
    engine.start();
    stack.push({ name: 'rules', stop: () => engine.stop() });

    const submit = (reading: unknown): IngestResult => {
      const result = ingest(devices, reading);
      if (result.ok) {
        engine.event(result.event);
        counters.add('ingest.accepted');
        bus.emit('event', result.event);
      } else {
        counters.add(`ingest.dropped.${result.reason}`);
        // Neighbours' devices are expected and frequent: not worth a line each.
        log[result.reason === 'unknown_device' ? 'debug' : 'warn'](
          { reason: result.reason, detail: result.detail },
          'reading dropped',
        );
      }
      return result;
    };
    bus.on('reading', (r) => submit(r));

    const cancelRetention = scheduleRetention(store, config.storage.keep_events, clock, log);
    stack.push({ name: 'retention', stop: cancelRetention });

    bus.on('source-status', (s) =>
      s.present
        ? log.info({ source: s.source, devices: s.device }, `${s.source}: ${s.detail}`)
        : log.warn(
            { source: s.source, devices: s.device },
            `missing ${s.device}: ${s.detail}; retrying quietly`,
          ),
    );
    const ctx: DriverContext = {
      clock,
      log,
      reading: (r) => bus.emit('reading', r),
      status: (s) =>
        bus.emit('source-status', {
          source: s.source,
          device: s.devices.join(', '),
          present: s.present,
          detail: s.detail,
        }),
    };
    const drivers = buildDrivers(config, ctx, opts);
    for (const d of drivers) {
      await d.start(abort.signal);
      stack.push({ name: d.name, stop: () => d.stop() });
    }
    const waiting = config.devices.filter((d) => !SERIAL_SOURCES.has(d.source) && !BLE_SOURCES.has(d.source));
    if (waiting.length)
      log.warn(
        { devices: waiting.map((d) => d.id) },
        `no reader for ${[...new Set(waiting.map((d) => d.source))].join(', ')} in this build: ${waiting.map((d) => d.id).join(', ')} stay silent`,
      );

    return {
      store,
      engine,
      bus,
      counters,
      submit,
      sources: () => drivers.flatMap((d) => d.health()),
      stop: unwind,
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}

function buildDrivers(config: Config, ctx: DriverContext, opts: GatewayOptions): Driver[] {
  const drivers: Driver[] = [];
  const serial = config.devices.flatMap((d) =>
    'port' in d && SERIAL_SOURCES.has(d.source) ? [{ id: d.id, port: d.port, source: d.source }] : [],
  );
  if (serial.length) drivers.push(new PortPresence(serial, ctx));
  const ble = config.devices.filter((d) => BLE_SOURCES.has(d.source)).map((d) => d.id);
  if (ble.length) drivers.push(new AdapterPresence(ble, ctx, opts.bluetoothSysfs));
  return drivers;
}

/** Deletes raw events past storage.keep_events now and then every hour. */
function scheduleRetention(store: Store, keepMs: number, clock: Clock, log: Logger): Cancel {
  let cancel: Cancel = () => {};
  const run = () => {
    const removed = store.pruneEvents(clock.now() - keepMs);
    if (removed) log.info({ removed }, 'old events removed by retention');
    cancel = clock.timer(clock.now() + HOUR, run);
  };
  run();
  return () => cancel();
}
