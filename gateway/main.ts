// The composition root: the gateway is a list of parts (gateway/parts/), started in order by one
// runner and stopped in reverse. Nothing else in the gateway opens a resource of its own.
import { PUSH_QUEUE } from '../cloud-relay/uplink/push.ts';
import type { Relay, RelayLimits } from '../cloud-relay/uplink/relay.ts';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import { Counters } from '../core/counters.ts';
import type { Logger } from '../core/log.ts';
import type { SourceStatus } from '../firmware-bridge/driver.ts';
import type { LocalBroker } from './broker/broker.ts';
import { Bus } from './bus.ts';
import { DailySummaries } from './engine/daily-summaries.ts';
import type { RuleEngine } from './engine/engine.ts';
import { NightSummaries } from './engine/night-summaries.ts';
import { TestCalls } from './engine/test-calls.ts';
import { type IngestResult, indexDevices } from './ingest.ts';
import { ingestLoop } from './parts/ingest-loop.ts';
import { openLocalBroker } from './parts/local-broker.ts';
import { localModes } from './parts/local-modes.ts';
import { localTopics, statusReportFor } from './parts/local-topics.ts';
import { openStore } from './parts/open-store.ts';
import { buildOutputDrivers } from './parts/output-drivers.ts';
import { driverOutputs, linkStatusOutputs, promptOutputs } from './parts/outputs.ts';
import { asPart, PartRunner } from './parts/part.ts';
import { ruleEngine, rules } from './parts/rule-engine.ts';
import { buildDrivers, sourceStatusLog } from './parts/sources.ts';
import { eventRetention, nightlyBackups, recoveryAlert, storageWatch } from './parts/storage-care.ts';
import { pusherFor, pushes, type RelayHooks, relay, relayFor, uplinkKicks } from './parts/uplink.ts';
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
  /** What the relay did with receipts, for tests that count what went again and why. */
  relayHooks?: RelayHooks;
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

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config, log, clock } = opts;
  const counters = new Counters();
  const bus = new Bus(log, counters);
  const g = { config, log, clock, counters, bus };
  const parts = new PartRunner(log);
  try {
    const path = opts.storePath ?? config.storage.path;
    const { store, recovery } = await parts.open(openStore({ ...g, path }));
    const devices = indexDevices(config);
    const queue = store.outbox.queue(PUSH_QUEUE);
    const engine = ruleEngine({ ...g, devices, store, pushes: queue });
    const zone = engine.zone;
    await parts.start([rules(engine), recoveryAlert(recovery, { ...g, store, zone })]);
    const broker = await parts.open(openLocalBroker({ ...g, listen: opts.listen, storePath: path }));

    const drivers = [...buildDrivers({ ...g, broker }, opts), ...buildOutputDrivers({ ...g, broker })];
    const summaries = new DailySummaries({ ...g, devices, store, zone, deliver: () => up?.kick() });
    const home = () => engine.home;
    const nights = new NightSummaries({ ...g, devices, store, zone, home, deliver: () => up?.kick() });
    const testCalls = new TestCalls({ ...g, store, zone, deliver: () => up?.kick() });
    const up = relayFor({
      ...g,
      store,
      engine,
      summaries,
      testCalls,
      limits: opts.relayLimits,
      hooks: opts.relayHooks,
    });
    const pusher = pusherFor({ ...g, pushes: queue });
    const sources = () => drivers.flatMap((d) => d.health());
    const more = () => statusReportFor({ ...g, store, path, zone });
    const local = localTopics({ ...g, broker, store, zone, sources, more });
    const ingest = ingestLoop({ ...g, devices, engine });
    await parts.start([
      ingest,
      eventRetention({ ...g, store }),
      nightlyBackups({ ...g, store, zone }),
      sourceStatusLog(g),
      ...drivers,
      driverOutputs(bus, drivers),
      // Listening before the parts that may tell of a fault or ask the resident as they start.
      promptOutputs(bus),
      linkStatusOutputs(bus),
      asPart('daily summaries', summaries),
      asPart('night summaries', nights),
      asPart('test calls', testCalls),
      ...(pusher ? [pushes(pusher)] : []),
      uplinkKicks(bus, { relay: up, pusher }),
      relay(up, log),
      local,
      localModes({ ...g, broker, engine, zone }),
      storageWatch({ ...g, store, refresh: local.status }),
    ]);
    const gateway = { store, engine, broker, relay: up, bus, counters, sources };
    return { ...gateway, submit: ingest.submit, stop: () => parts.stop() };
  } catch (err) {
    await parts.stop();
    throw err;
  }
}
