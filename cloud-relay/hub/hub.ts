// The hub's composition root: builds the store, the broker session, supervision and the web
// listener from the hub file, starts them in that order and stops them in reverse. Instances
// hold no state of their own; the database is shared. The web listener is the care console
// (console/), which the hub is given by whoever starts it (cli/run.ts): the console imports the
// hub, never the reverse.
import { createPrivateKey } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type HubConfig, signaturesOf } from '../../config/hub-schema.ts';
import { readPemFile, resolveSecret } from '../../config/load.ts';
import { parseRef } from '../../config/values.ts';
import { createLogger, type Logger } from '../../core/log.ts';
import { type AckResult, acknowledge } from './ack.ts';
import { type ProbeVerdict, probeBrokerAcl } from './acl-probe.ts';
import { CarerPush } from './carer-push.ts';
import { consoleDb } from './console-tables.ts';
import { type DbTarget, openDb, sqliteTarget } from './db.ts';
import { FhirSender } from './fhir-sender.ts';
import { LiveFeed } from './live-feed.ts';
import { type ModeAsk, type ModeResult, sendMode } from './mode.ts';
import { type BrokerOptions, Receiver } from './receiver.ts';
import { startRetention } from './retention-timer.ts';
import { HomeSignatures } from './signatures.ts';
import { HubStore } from './store.ts';
import { type Pass, startSupervisor } from './supervision-pass.ts';

/** What the care console is given of the hub (console/context.ts: ConsoleDeps). */
export type WebDeps = {
  store: HubStore;
  health: () => Record<string, unknown> & { ok: boolean };
  ack: (req: { alertId: string; by: string; gateway?: string }) => Promise<AckResult>;
  /** A care mode for a home (mode.ts: sendMode). */
  mode: (req: ModeAsk) => Promise<ModeResult>;
  live: LiveFeed;
  now: () => number;
  timezone: string;
  log: Logger;
};

/** Starts the web listener (console/app.ts: startConsole); `hubFile`, beside which web.tls is read. */
export type StartWeb = (
  d: WebDeps,
  web: HubConfig['web'],
  hubFile: string,
) => Promise<{ port: number; stop(): Promise<void> }>;

export type HubOptions = {
  config: HubConfig;
  /** The hub file: the embedded database defaults to a folder beside it. */
  configFile: string;
  instance?: string;
  now?: () => number;
  log?: Logger;
  /** false: no supervision timer (tests call `supervise()` with their own clock). */
  supervisionTimer?: boolean;
  onStored?: (topic: string) => void;
  /** false: publish only (hearth hub ack): no broker session of its own, no web listener. */
  listen?: boolean;
  /** The web listener, started last (the care console); none without it. */
  web?: StartWeb;
};

export type Hub = {
  instance: string;
  store: HubStore;
  receiver: Receiver;
  webPort: number;
  target: DbTarget;
  supervise(): Promise<Pass>;
  ack(req: { alertId: string; by: string; gateway?: string }): Promise<AckResult>;
  /** A care mode for a home, or `off` (mode.ts). */
  mode(req: ModeAsk): Promise<ModeResult>;
  stop(): Promise<void>;
};

/** /healthz fails once a message has waited on the database longer than this. */
export const HELD_TOO_LONG_MS = 5_000;

const secret = (v: string | undefined) => (v && parseRef(v) ? resolveSecret(v) : v);

function readPem(what: string, file: string | undefined, base: string): Buffer | undefined {
  if (!file) return undefined;
  return Buffer.from(readPemFile(what, resolve(base, file)));
}

/** Who may sign for which gateway, when the hub file requires signatures. */
export function homeSignatures(c: HubConfig, configFile: string): HomeSignatures | null {
  if (signaturesOf(c) === 'off') return null;
  const file = c.homes.ca ?? c.broker.ca;
  const pem = readPem(c.homes.ca ? 'homes.ca' : 'broker.ca', file, dirname(resolve(configFile)));
  if (!pem)
    throw new Error(
      "homes.signatures is required, so the hub needs the CA that issues homes' certificates: set homes.ca (or broker.ca)",
    );
  return new HomeSignatures(pem.toString('utf8'));
}

export function dbTarget(c: HubConfig, configFile: string): DbTarget {
  const url = secret(c.database.url);
  if (url) return { kind: 'postgres', url };
  const base = dirname(resolve(configFile));
  return sqliteTarget(c.database.dir ? resolve(base, c.database.dir) : join(base, 'hub-data'));
}

export function brokerOptions(c: HubConfig, configFile: string): BrokerOptions {
  const base = dirname(resolve(configFile));
  const b = c.broker;
  return {
    url: b.url,
    ca: readPem('broker.ca', b.ca, base),
    cert: readPem('broker.cert', b.cert, base),
    key: readPem('broker.key', b.key, base),
    username: b.username,
    password: secret(b.password),
  };
}

export const instanceName = (c: HubConfig, override?: string): string =>
  override ??
  c.hub.instance ??
  hostname()
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '-');

/** Tries the trust broker's ACL with the probe identity, in the background of a running hub. */
function startProbe(
  c: HubConfig,
  configFile: string,
  d: { broker: BrokerOptions; instance: string; log: Logger; receiver: Receiver; now: () => number },
): Promise<ProbeVerdict> {
  const base = dirname(resolve(configFile));
  const probe = c.broker.probe as NonNullable<HubConfig['broker']['probe']>;
  return probeBrokerAcl({
    broker: d.broker,
    probe: {
      cert: readPem('broker.probe.cert', probe.cert, base) as Buffer,
      key: readPem('broker.probe.key', probe.key, base) as Buffer,
    },
    instance: d.instance,
    log: d.log,
    watch: (topic, nonce, ms) => d.receiver.watch(topic, nonce, ms),
    publish: (topic, payload) => d.receiver.publish(topic, payload),
    onOpen: (what) =>
      d.receiver.raise(
        {
          key: `broker_acl/${new Date(d.now()).toISOString().slice(0, 10)}`,
          gateway: 'trust-broker',
          kind: 'broker_acl',
          severity: 'high',
          reason: `The trust broker lets one home's certificate ${what} another home's topics. Signatures keep each home to its own name, but the broker's ACL must be fixed (each home writes only hearth/v1/<its name>/#).`,
        },
        d.now(),
      ),
  }).catch((err) => {
    d.log.error({ err: (err as Error).message }, 'hub: the ACL probe failed');
    return 'unknown' as const;
  });
}

export async function startHub(o: HubOptions): Promise<Hub> {
  const c = o.config;
  const now = o.now ?? Date.now;
  const log = o.log ?? createLogger();
  const instance = instanceName(c, o.instance);
  const target = dbTarget(c, o.configFile);
  const broker = brokerOptions(c, o.configFile);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse())
      await s().catch((err) => log.error({ err: (err as Error).message }, 'hub: stopping'));
  };
  try {
    const { db } = openDb(target);
    const store = new HubStore(db);
    stops.push(() => store.close());
    await store.migrate();
    await store.expectHomes(
      c.homes.expected.map((h) => ({
        gateway: h.gateway,
        resident: h.resident,
        heartbeatMs: h.heartbeat ?? c.homes.heartbeat,
      })),
      now(),
    );
    // The console's open pages hear of every message this instance stores or sees again.
    const live = new LiveFeed();
    let webPort = 0;
    const push = new CarerPush({
      db: consoleDb(store.db),
      log,
      now,
      base: () => c.web.public_url ?? `http://${c.web.host}:${webPort}`,
    });
    stops.push(() => push.stop());
    const receiver = new Receiver({
      broker,
      instance,
      store,
      log,
      now,
      onStored: (topic, r) => {
        live.notifyTopic(topic);
        if (!r.duplicate && r.alert) push.alertStored(r.alert);
        o.onStored?.(topic);
      },
      onSeen: (topic) => live.notifyTopic(topic),
      onHubAlert: () => live.notify('alert'),
      subscribe: o.listen,
      signatures: homeSignatures(c, o.configFile),
      commandKey: broker.key ? createPrivateKey(broker.key) : undefined,
      homes: {
        acceptAny: c.homes.accept_any,
        expected: new Map(c.homes.expected.map((h) => [h.gateway, { resident: h.resident }])),
        defaultHeartbeatMs: c.homes.heartbeat,
        clockSkewMs: c.supervision.clock_skew,
      },
    });
    await receiver.start();
    stops.push(() => receiver.stop());
    if (c.broker.probe && o.listen !== false) {
      const probing = startProbe(c, o.configFile, { broker, instance, log, receiver, now });
      stops.push(() => probing.then(() => undefined));
    }
    const s = c.supervision;
    const supervisor = startSupervisor(
      {
        store,
        log,
        now,
        instance,
        commandTimeoutMs: s.command_timeout,
        limits: {
          silentAfter: s.silent_after,
          clockSkewMs: s.clock_skew,
          undeliveredAfterMs: s.undelivered_after,
          queueGrowing: s.queue_growing,
          night: s.night,
          timezone: c.hub.timezone,
        },
      },
      o.supervisionTimer === false ? 2 ** 31 - 1 : s.interval,
    );
    stops.push(() => supervisor.stop());
    const ack = (req: { alertId: string; by: string; gateway?: string }) =>
      acknowledge({ store, now, publish: (t, p) => receiver.publish(t, p) }, req);
    const mode = (req: ModeAsk) => sendMode({ store, now, publish: (t, p) => receiver.publish(t, p) }, req);
    stops.push(startRetention({ store, log, now, periods: c.retention }));
    const fhir =
      c.fhir && new FhirSender({ db: store.db, log, now, url: c.fhir.url, token: secret(c.fhir.token) });
    if (fhir && o.listen !== false) {
      fhir.start(c.fhir?.every ?? 60_000);
      stops.push(() => fhir.stop());
    }
    const health = () => {
      const held = receiver.held(now());
      // A message waiting on the database this long means nothing after it is being stored.
      const holding = held !== null && held.ms > HELD_TOO_LONG_MS;
      return {
        ok: receiver.connected && !holding,
        instance,
        database: target.kind,
        ...receiver.counters,
        ...(held ? { held_s: Math.round(held.ms / 1000), held_because: held.error } : {}),
      };
    };
    const web =
      o.listen === false || !o.web
        ? null
        : await o.web(
            { store, health, ack, mode, live, now, log, timezone: c.hub.timezone },
            c.web,
            o.configFile,
          );
    if (web) stops.push(() => web.stop());
    webPort = web?.port ?? 0;
    return {
      instance,
      store,
      receiver,
      webPort: web?.port ?? 0,
      target,
      supervise: () => supervisor.runNow(),
      ack,
      mode,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
