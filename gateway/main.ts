// The composition root: builds every part of the gateway, starts them in order and stops them
// in reverse. Nothing else in the gateway opens a resource of its own.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PUSH_QUEUE, Pusher, pushRowFor } from '../cloud-relay/uplink/push.ts';
import { Relay, type RelayLimits } from '../cloud-relay/uplink/relay.ts';
import type { Config, Device } from '../config/schema.ts';
import type { Cancel, Clock } from '../core/clock.ts';
import { Counters } from '../core/counters.ts';
import type { Logger } from '../core/log.ts';
import type { BleRow } from '../firmware-bridge/ble/context.ts';
import { BleSource } from '../firmware-bridge/ble/source.ts';
import type { Driver, DriverContext, SourceStatus } from '../firmware-bridge/driver.ts';
import { MAPPERS, router } from '../firmware-bridge/mqtt/index.ts';
import type { MqttRow } from '../firmware-bridge/mqtt/mapper.ts';
import { MqttDevices } from '../firmware-bridge/mqtt/source.ts';
import { FirmataDriver } from '../firmware-bridge/serial/firmata-driver.ts';
import { JsonlDriver } from '../firmware-bridge/serial/jsonl-driver.ts';
import { Ld2410Driver } from '../firmware-bridge/serial/ld2410-driver.ts';
import { SerialPorts } from '../firmware-bridge/serial/port.ts';
import { type LocalBroker, startBroker } from './broker/broker.ts';
import { Bus } from './bus.ts';
import { DailySummaries } from './engine/daily-summaries.ts';
import { RuleEngine } from './engine/engine.ts';
import { type IngestResult, indexDevices, ingest } from './ingest.ts';
import { publishLocalTopics } from './local-topics.ts';
import { statusReport } from './status-report.ts';
import { recoveryAlert, scheduleBackups, storageFault, watchStorage } from './storage-care.ts';
import { openChecked } from './store/recover.ts';
import type { Store } from './store/store.ts';

export type GatewayOptions = {
  config: Config;
  log: Logger;
  clock: Clock;
  /** Overrides storage.path (the demo and tests keep their database in a temporary folder). */
  storePath?: string;
  /** Where to look for Bluetooth adapters; tests point it at a folder of their own. */
  bluetoothSysfs?: string;
  /** No BLE advert for this long: the scan is restarted (default 5 min). */
  bleWatchdogMs?: number;
  /** Replaces local_broker.listen (the demo and tests take a free port: 0). */
  listen?: { host: string; port: number }[];
  /** The relay's timings and bounds where a test needs them shorter (keep-alive, timeouts). */
  relayLimits?: Partial<RelayLimits>;
};

export type Gateway = {
  store: Store;
  engine: RuleEngine;
  broker: LocalBroker;
  relay: Relay | null;
  bus: Bus;
  counters: Counters;
  /** Takes one Reading through ingest into the event log, as a source would. */
  submit(reading: unknown): IngestResult;
  sources(): SourceStatus[];
  stop(): Promise<void>;
};

const BLE_SOURCES = new Set<Device['source']>(['bthome', 'ibeacon', 'heart-rate']);
const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
const MQTT_SOURCES = new Set<string>(Object.keys(MAPPERS));
const HOUR = 3_600_000;

/**
 * The local broker's credential for the gateway's own user, beside the database and readable
 * by its owner only, for tools on the Pi (hearth status, a dashboard). A new one at every start.
 */
function writeCredential(storePath: string, broker: LocalBroker, log: Logger): void {
  if (storePath === ':memory:') return;
  const addr = broker.addresses()[0];
  const file = join(dirname(storePath), 'local-broker.json');
  try {
    writeFileSync(file, JSON.stringify({ ...broker.credential, host: addr?.host, port: addr?.port }), {
      mode: 0o600,
    });
  } catch (err) {
    // A full disk: the gateway runs without it; only `hearth status` goes without an answer.
    log.warn({ err: (err as Error).message, file }, 'cannot write the credential for local tools');
  }
}

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
    const { store, recovery } = openChecked(storePath, log, clock.now());
    stack.push({ name: 'store', stop: () => store.close() });
    log.info({ path: storePath, outbox: store.outbox.depth() }, 'store open');

    const devices = indexDevices(config);
    const pushes = store.outbox.queue(PUSH_QUEUE);
    const engine = new RuleEngine({
      config,
      devices,
      store,
      clock,
      log,
      counters,
      alsoQueue: (m) => {
        const push = config.relay?.push;
        const row = push ? pushRowFor(m.payload, push, m.at) : undefined;
        if (row) pushes.add(row);
      },
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
    // Queued before the relay starts, which sends it first.
    if (recovery) recoveryAlert(recovery, { store, config, zone: engine.zone, now: clock.now() });

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

    const brokerConfig = opts.listen
      ? {
          ...config,
          local_broker: {
            ...config.local_broker,
            listen: opts.listen.map((l) => ({ ...l, websocket: false })),
          },
        }
      : config;
    const broker = await startBroker({ config: brokerConfig, log, counters, clock });
    stack.push({ name: 'local broker', stop: () => broker.stop() });
    writeCredential(storePath, broker, log);

    const cancelRetention = scheduleRetention(store, config.storage.keep_events, clock, log);
    stack.push({ name: 'retention', stop: cancelRetention });
    stack.push({ name: 'backups', stop: scheduleBackups({ store, clock, zone: engine.zone, log }) });

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
    const drivers = buildDrivers(
      config,
      {
        ...ctx,
        counted: (n: number) => counters.add('mqtt.payload_refused', n),
        count: (name: string, n?: number) => counters.add(name, n),
      },
      opts,
      broker,
    );
    for (const d of drivers) {
      await d.start(abort.signal);
      stack.push({ name: d.name, stop: () => d.stop() });
    }
    bus.on('output', (o) => {
      for (const d of drivers) d.output?.(o);
    });
    const summaries = new DailySummaries({
      config,
      devices,
      store,
      clock,
      zone: engine.zone,
      log,
      deliver: () => relay?.kick(),
    });
    summaries.start();
    stack.push({ name: 'daily summaries', stop: () => summaries.stop() });

    const relay = config.relay
      ? new Relay({
          config,
          ...(opts.relayLimits ? { limits: opts.relayLimits } : {}),
          outbox: store.outbox,
          commandLog: store.commands,
          clock,
          zone: engine.zone,
          log,
          counters,
          version: VERSION,
          commands: {
            requestSummary: (date) => {
              const m = summaries.produce(date);
              return { ok: true, detail: `summary ${m.id} queued` };
            },
            ack: (id, by) =>
              engine.ack(id, by)
                ? { ok: true, detail: `${id} acknowledged by ${by}` }
                : { ok: false, detail: `no raised or escalated alert ${id} to acknowledge` },
          },
          onDelivery: (d) => bus.emit('delivery', d),
        })
      : null;
    const pusher = config.relay?.push
      ? new Pusher({ push: config.relay.push, queue: pushes, clock, log, counters })
      : null;
    if (pusher) {
      bus.on('message', (m) => !m.local && pusher.kick());
      pusher.kick();
      stack.push({ name: 'push', stop: () => pusher.stop() });
    }
    bus.on('message', (m) => {
      if (m.payload.state === 'pre-alert') bus.emit('output', { pattern: 'prompt' });
      if (
        m.payload.state === 'cancelled' ||
        (m.payload.rule === 'inactivity' && m.payload.state === 'raised')
      )
        bus.emit('output', { pattern: 'prompt-end' });
    });
    bus.on('delivery', (d) => bus.emit('output', { pattern: d.undelivered ? 'link-down' : 'link-ok' }));
    if (relay) {
      bus.on('message', (m) => !m.local && relay.kick());
      relay.start();
      stack.push({ name: 'relay', stop: () => relay.stop() });
    } else log.warn('no relay in the provisioning file: alerts stay in the home');

    const local = publishLocalTopics({
      broker,
      bus,
      store,
      clock,
      zone: engine.zone,
      counters,
      log,
      sources: () => drivers.flatMap((d) => d.health()),
      more: () =>
        reportFor({
          reader: store.status,
          path: storePath,
          config,
          zone: engine.zone,
          now: clock.now(),
          failing: storageFault(store),
        }),
    });
    stack.push({ name: 'local topics', stop: () => local.stop() });
    const refresh = () => local.status();
    watchStorage({ store, bus, log, clock, keepEventsMs: config.storage.keep_events, refresh });

    return {
      store,
      engine,
      broker,
      relay,
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

function buildDrivers(
  config: Config,
  ctx: DriverContext & { counted: (n: number) => void; count: (name: string, n?: number) => void },
  opts: GatewayOptions,
  broker: LocalBroker,
): Driver[] {
  const drivers: Driver[] = [];
  const mqtt = config.devices.filter((d): d is MqttRow => MQTT_SOURCES.has(d.source));
  if (mqtt.length) drivers.push(new MqttDevices(mqtt, router(mqtt), broker.subscribe, ctx));
  // Serial sources: one owner per port, shared by every row on it.
  const ports = new SerialPorts(ctx);
  const jsonl = config.devices.flatMap((d) => (d.source === 'jsonl' ? [d] : []));
  if (jsonl.length) drivers.push(new JsonlDriver(jsonl, ports, ctx));
  const ld2410 = config.devices.flatMap((d) => (d.source === 'ld2410' ? [d] : []));
  if (ld2410.length) drivers.push(new Ld2410Driver(ld2410, ports, ctx));
  const firmata = config.devices.flatMap((d) => (d.source === 'firmata' ? [d] : []));
  if (firmata.length) drivers.push(new FirmataDriver(firmata, ports, ctx));
  const ble = config.devices.filter((d): d is BleRow => BLE_SOURCES.has(d.source));
  if (ble.length)
    drivers.push(new BleSource(ble, ctx, { sysfs: opts.bluetoothSysfs, watchdogMs: opts.bleWatchdogMs }));
  return drivers;
}

/** The report `hearth status` shows; a database that cannot answer is itself the report. */
function reportFor(o: Parameters<typeof statusReport>[0]): Record<string, unknown> {
  try {
    return { report: statusReport(o) };
  } catch (err) {
    return { report_error: (err as Error).message };
  }
}

/** Deletes raw events past storage.keep_events now and then every hour. */
function scheduleRetention(store: Store, keepMs: number, clock: Clock, log: Logger): Cancel {
  let cancel: Cancel = () => {};
  const run = () => {
    const removed = store.events.prune(clock.now() - keepMs);
    if (removed) log.info({ removed }, 'old events removed by retention');
    cancel = clock.timer(clock.now() + HOUR, run);
  };
  run();
  return () => cancel();
}
