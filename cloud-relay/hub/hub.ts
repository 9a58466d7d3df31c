// The hub's composition root: builds the store, the broker session, supervision and the web
// listener from the hub file, starts them in that order and stops them in reverse. Instances
// hold no state of their own; the database is shared. The web listener is the care console
// (console/), which the hub is given by whoever starts it (cli/run.ts): the console imports the
// hub, never the reverse.

import { createPrivateKey } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ConsoleSettings } from '../../config/calls-schema.ts';
import { type HubConfig, signaturesOf } from '../../config/hub-schema.ts';
import { readPemFile, resolveSecret } from '../../config/load.ts';
import { parseRef } from '../../config/values.ts';
import { createLogger, type Logger } from '../../core/log.ts';
import { zoneNamed } from '../../core/zone.ts';
import { type AckResult, acknowledge } from './ack.ts';
import { type ProbeVerdict, probeBrokerAcl } from './acl-probe.ts';
import { type CloseRequest, type CloseResult, closeCall } from './calls.ts';
import { consoleDb } from './console-tables.ts';
import { type DbTarget, loadPg, openDb, sqliteTarget } from './db.ts';
import { FhirSender } from './fhir-sender.ts';
import type { IntakeLimits } from './intake.ts';
import { startLadder } from './ladder-pass.ts';
import { LiveFeed, liveKindOf } from './live-feed.ts';
import { listenLive } from './live-listen.ts';
import { type ModeAsk, type ModeResult, sendMode } from './mode.ts';
import { enqueueAlertsPushes, enqueueHubPushes } from './push-causes.ts';
import { pushKeys } from './push-keys.ts';
import { ntfyTransport } from './push-ntfy.ts';
import { PushSender } from './push-sender.ts';
import { pushDb, pushTx } from './push-tables.ts';
import { forgetSubscription, webPushTransport } from './push-webpush.ts';
import { Receipts } from './receipts.ts';
import { type BrokerOptions, Receiver } from './receiver.ts';
import { startRetention } from './retention-timer.ts';
import { HomeSignatures } from './signatures.ts';
import { HubStore } from './store.ts';
import { type Pass, startSupervisor } from './supervision-pass.ts';
import { acknowledgedByHub, HUB_ACKER } from './test-calls.ts';

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
  /** Where carers open the console, for links in pushes the console causes (a claim's news). */
  pushBase?: () => string;
  /** After the console queued pushes: the sender may send at once. */
  pushQueued?: () => void;
  /** The hub file's console section (outcomes, answer-time targets, shifts); its defaults without. */
  calls?: ConsoleSettings;
  /** Closes a call with an outcome, telling the home (calls.ts: closeCall). */
  close?: (req: CloseRequest) => Promise<CloseResult>;
  /** How often a monitoring screen's open stream has its session checked (console/stream-watch.ts). */
  streamCheckMs?: number;
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
  /** How many messages a transaction takes and how many wait unacknowledged (intake.ts). */
  intake?: IntakeLimits;
  /** How often a screen's open stream has its session checked; tests that move the clock check often. */
  streamCheckMs?: number;
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

/** How often the escalation ladders are looked at: a rung is late by this much at most. */
const LADDER_EVERY_MS = 15_000;

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

/**
 * Whom a push service may contact about this hub (VAPID's \`sub\`): the console's https address,
 * else a mailto: naming this host, which push services accept but cannot use.
 */
const vapidSubject = (c: HubConfig): string =>
  c.web.public_url?.startsWith('https:') ? c.web.public_url : 'mailto:hearth-hub@invalid.example';

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
    let webPort = 0;
    /** Where carers open the console; known once the web listener listens. */
    const base = () => c.web.public_url ?? `http://${c.web.host}:${webPort}`;
    // The pushes an alert state or a hub alert causes are written with it, in its transaction.
    const store = new HubStore(db, {
      alertsMoved: (t, moved, at) => enqueueAlertsPushes(pushTx(t), moved, at, base()),
      hubAlertRaised: (t, a, at) => enqueueHubPushes(pushTx(t), a, at, base()),
    });
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
    // The console's open pages hear of every message this instance stores or sees again, and on
    // PostgreSQL of what every other instance stores.
    const live = new LiveFeed();
    if (target.kind === 'postgres' && o.listen !== false) {
      const listening = listenLive(
        loadPg(),
        target.url,
        (kinds) => {
          for (const k of kinds) live.notify(k);
        },
        log,
      );
      stops.push(() => listening.stop());
    }
    const keys = await pushKeys(consoleDb(store.db));
    const push = new PushSender({
      store,
      log,
      now,
      instance,
      skipLocked: target.kind === 'postgres',
      transports: {
        ntfy: ntfyTransport(),
        webpush: webPushTransport({ db: pushDb(store.db), keys, subject: vapidSubject(c), now }),
      },
      forget: (t, _row, p) => forgetSubscription(pushDb(t), p),
      onHubAlert: () => live.notify('alert'),
    });
    const receipts = new Receipts({ publish: (t, p) => receiver.publish(t, p), log });
    const testCallAck = (a?: { alertId: string; gateway: string }) =>
      a &&
      acknowledge(
        { store, now, publish: (t, p) => receiver.publish(t, p) },
        { alertId: a.alertId, gateway: a.gateway, by: HUB_ACKER },
      )
        .then(
          (r) => r.ok || log.warn({ alert_id: a.alertId }, `hub: test call not acknowledged: ${r.reason}`),
        )
        .catch((err) => log.error({ err: (err as Error).message }, 'hub: test call not acknowledged'));
    const receiver = new Receiver({
      broker,
      instance,
      store,
      log,
      now,
      onStored: (topic, r, type) => {
        live.notify(liveKindOf(type));
        if (!r.duplicate && r.alert?.moved) push.kick();
        // A daily test call, acknowledged at once by the instance that stored it (unless the trust
        // leaves it to an operator); a failed publish is flagged by supervision as any ack is.
        if (!r.duplicate && acknowledgedByHub(r.alert, c.test_calls.ack)) testCallAck(r.alert);
        o.onStored?.(topic);
      },
      onSeen: (_topic, type) => live.notify(liveKindOf(type)),
      onKept: (gateway, id) => receipts.stored(gateway, id),
      onHubAlert: () => {
        live.notify('alert');
        push.kick();
      },
      subscribe: o.listen,
      intake: o.intake,
      share: c.broker.share,
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
    // Any instance alive sends what any instance queued; a one-off command sends nothing.
    if (o.listen !== false) {
      push.start();
      stops.push(() => push.stop());
      const ladder = startLadder({ store, now, base, log, onPushed: () => push.kick() }, LADDER_EVERY_MS);
      stops.push(() => ladder.stop());
    }
    // Receipts still gathering go before the broker session closes.
    stops.push(() => receipts.flush());
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
        onChange: () => {
          live.notify('alert');
          push.kick();
        },
        limits: {
          silentAfter: s.silent_after,
          clockSkewMs: s.clock_skew,
          undeliveredAfterMs: s.undelivered_after,
          queueGrowing: s.queue_growing,
          night: s.night,
          timezone: c.hub.timezone,
          testMissingAfterMs: c.test_calls.missing_after,
        },
      },
      o.supervisionTimer === false ? 2 ** 31 - 1 : s.interval,
    );
    stops.push(() => supervisor.stop());
    const ack = (req: { alertId: string; by: string; gateway?: string }) =>
      acknowledge({ store, now, publish: (t, p) => receiver.publish(t, p) }, req);
    const zone = zoneNamed(c.hub.timezone);
    const mode = (req: ModeAsk) =>
      sendMode({ store, now, iso: (t) => zone.iso(t), publish: (t, p) => receiver.publish(t, p) }, req);
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
        // Transactions the messages took (messages per batch: how far commits are shared), and
        // messages held unacknowledged now.
        batches: receiver.intake.batches,
        intake_held: receiver.intake.held,
        ...receipts.counters,
        ...(held ? { held_s: Math.round(held.ms / 1000), held_because: held.error } : {}),
      };
    };
    const web =
      o.listen === false || !o.web
        ? null
        : await o.web(
            {
              store,
              health,
              ack,
              mode,
              live,
              now,
              log,
              timezone: c.hub.timezone,
              pushBase: base,
              pushQueued: () => push.kick(),
              calls: c.console,
              streamCheckMs: o.streamCheckMs,
              close: (req: CloseRequest) =>
                closeCall(
                  { store, now, publish: (t, p) => receiver.publish(t, p), outcomes: c.console.outcomes },
                  req,
                ),
            },
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
