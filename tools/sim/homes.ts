// Simulated homes at the trust's end of the link: one MQTT connection per gateway, each with its
// own client id, the relay's last will (status offline, retained), a retained online status and
// heartbeats on a timer, which is what a trust's broker and hub carry for real homes; alert
// episodes and daily summaries at a realistic rate; and a town's homes dropping off together and
// coming back with what their outboxes kept (burst). For the hub's load tests, its benchmark and
// `hearth simulate homes`.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type HomeTopicKind, topics } from '../../cloud-relay/protocol/messages.ts';
import { heartbeat, status } from './home-messages.ts';
import { backlog, dailySummary, episode, nextEpisodeIn, type Outgoing } from './home-traffic.ts';

export { heartbeat, status, utcIso } from './home-messages.ts';

export type HomesOptions = {
  /** The broker, or several (listeners of one, or brokers): home i goes to the (i mod n)th. */
  url: string | readonly string[];
  count: number;
  heartbeatMs: number;
  /** The number of the first home (gw-0001 is 1): a process running a slice of a fleet. */
  first?: number;
  /** Digits in a home's number: those of the fleet's last (at least 4, gw-0001). */
  width?: number;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  username?: string;
  password?: string;
  /** Connections opened at once: TLS handshakes are what this bounds. */
  batch?: number;
  /**
   * Each home's first heartbeat at a random point of the interval, as a real fleet's fall, rather
   * than all of a batch together; and its daily summary at a random time of the day.
   */
  spread?: boolean;
  /** Alert episodes a home starts a day, on average (0 or absent: none). */
  alertsPerDay?: number;
  /** From an episode's alert raised to resolved; acknowledged between. */
  alertLastsMs?: number;
  /** After each batch: how many are connected so far. */
  onProgress?: (connected: number) => void;
  /** Each alert state, summary and burst message once the broker has taken it (PUBACK). */
  onSent?: (e: SentEvent) => void;
};

/** A message a home sent: when it was published and when the broker acknowledged it, in epoch ms. */
export type SentEvent = {
  gw: string;
  topic: string;
  id: string;
  type: string;
  burst: boolean;
  published_ms: number;
  acked_ms: number;
};

export type SimHome = {
  gw: string;
  resident: string;
  client: MqttClient;
  /** Publishes `m` on the home's topic of that kind (alert, summary, heartbeat...). */
  send(kind: HomeTopicKind, m: object): Promise<void>;
};

/** What a burst did: the homes that came back and the messages they brought. */
export type BurstResult = { homes: number; messages: number };

export type Homes = {
  homes: SimHome[];
  /** Cuts one home's connection without a goodbye: the broker sends its last will. */
  cut(gw: string): void;
  /**
   * The first `n` homes drop without a goodbye (their last wills go out), and each comes back at a
   * random point of `withinMs` with the backlog `offlineMs` offline leaves (home-traffic.ts).
   * Resolves once every one is back and the broker has taken all it brought.
   */
  burst(n: number, withinMs: number, offlineMs: number): Promise<BurstResult>;
  stop(): Promise<void>;
};

const DAY_MS = 86_400_000;

/** A home's connection and what runs on its behalf, replaced when it reconnects. */
type Slot = { home: SimHome; timers: Set<NodeJS.Timeout> };

/** How long a home waits for its messages in flight to be acknowledged before it goes. */
const GOODBYE_MS = 2_000;

/**
 * A clean goodbye (DISCONNECT, so no last will) once what is in flight is acknowledged; if the
 * broker does not answer within `ms`, the connection is dropped instead: nobody is there to hear
 * it, and waiting would keep the process (and its parent) alive for ever.
 */
function goodbye(c: MqttClient, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const late = setTimeout(() => {
      c.stream?.destroy();
      resolve();
    }, ms);
    c.end(!c.connected, {}, () => {
      clearTimeout(late);
      resolve();
    });
  });
}

export async function startHomes(o: HomesOptions): Promise<Homes> {
  const first = o.first ?? 1;
  const width = o.width ?? Math.max(4, String(first + o.count - 1).length);
  const urls = typeof o.url === 'string' ? [o.url] : o.url;
  const pad = (i: number) => String(i).padStart(width, '0');
  const slots: Slot[] = [];
  const fleetTimers = new Set<NodeJS.Timeout>();
  // Alert ids stay unique across runs of the same fleet: the hub drops a repeated id.
  const run = Date.now().toString(36);
  let alerts = 0;
  let stopped = false;

  const later = (set: Set<NodeJS.Timeout>, ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      set.delete(t);
      fn();
    }, ms);
    set.add(t);
  };
  const publish = (h: SimHome, out: Outgoing, burst: boolean, retain = false) => {
    const topic = topics[out.kind](h.gw);
    const published = Date.now();
    return h.client.publishAsync(topic, JSON.stringify(out.message), { qos: 1, retain }).then(() =>
      o.onSent?.({
        gw: h.gw,
        topic,
        id: out.message.id,
        type: out.message.type,
        burst,
        published_ms: published,
        acked_ms: Date.now(),
      }),
    );
  };

  /** Home i connected, with the backlog of `offlineMs` offline if it comes back from one. */
  const connectOne = async (i: number, offlineMs?: number): Promise<Slot & { brought: number }> => {
    const gw = `gw-${pad(i)}`;
    const resident = `r-${pad(i)}`;
    const t = Date.now();
    const url = urls[(i - first) % urls.length] as string;
    const client = mqtt.connect(url, clientOptions(o, gw, resident, t));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', (err) => {
        client.end(true);
        reject(new Error(`${gw}: ${err.message}`));
      });
    });
    const send = async (kind: HomeTopicKind, m: object) => {
      await client.publishAsync(topics[kind](gw), JSON.stringify(m), { qos: 1 });
    };
    const slot: Slot = { home: { gw, resident, client, send }, timers: new Set() };
    let brought = 0;
    if (offlineMs !== undefined) {
      const b = backlog(gw, resident, `a${run}-${++alerts}`, t, offlineMs, o.heartbeatMs);
      await publish(slot.home, b.online, true, true);
      await Promise.all(b.queued.map((q) => publish(slot.home, q, true)));
      brought = 1 + b.queued.length;
    } else
      await client.publishAsync(topics.status(gw), JSON.stringify(status(gw, resident, 'online', t + 1)), {
        qos: 1,
        retain: true,
      });
    schedule(slot, Boolean(o.spread || offlineMs !== undefined));
    return { ...slot, brought };
  };

  /** The home's heartbeats and daily summary, from now on. */
  const schedule = (slot: Slot, spread: boolean) => {
    const h = slot.home;
    const beat = () => void h.send('heartbeat', heartbeat(h.gw, h.resident, Date.now())).catch(() => {});
    const every = (ms: number, fn: () => void) => slot.timers.add(setInterval(fn, ms));
    if (spread)
      later(slot.timers, Math.random() * o.heartbeatMs, () => {
        beat();
        every(o.heartbeatMs, beat);
      });
    else every(o.heartbeatMs, beat);
    const sendSummary = () =>
      void publish(h, dailySummary(h.gw, h.resident, Date.now()), false).catch(() => {});
    if (spread)
      later(slot.timers, Math.random() * DAY_MS, () => {
        sendSummary();
        every(DAY_MS, sendSummary);
      });
  };

  const clear = (slot: Slot) => {
    for (const t of slot.timers) clearTimeout(t);
    slot.timers.clear();
  };

  /** The fleet's alert episodes, each at a random home, one after another at the fleet's rate. */
  const nextEpisode = () => {
    if (!o.alertsPerDay || stopped) return;
    later(fleetTimers, nextEpisodeIn(slots.length, o.alertsPerDay, Math.random()), () => {
      const k = Math.floor(Math.random() * slots.length);
      const start = slots[k]?.home;
      if (start) {
        const id = `a${run}-${++alerts}`;
        for (const step of episode(
          start.gw,
          start.resident,
          id,
          Date.now(),
          o.alertLastsMs ?? 300_000,
          Math.random(),
        ))
          later(fleetTimers, step.afterMs, () => {
            // The home as it is now: it may have reconnected since the episode began.
            const now = slots[k]?.home;
            if (now) void publish(now, step.out, false).catch(() => {});
          });
      }
      nextEpisode();
    });
  };

  const drop = (slot: Slot) => {
    clear(slot);
    const c = slot.home.client;
    c.options.reconnectPeriod = 0;
    c.stream.destroy();
    c.end(true);
  };

  try {
    const batch = o.batch ?? 100;
    for (let start = 0; start < o.count; start += batch) {
      const made = await Promise.all(
        Array.from({ length: Math.min(batch, o.count - start) }, (_, k) => connectOne(first + start + k)),
      );
      slots.push(...made);
      o.onProgress?.(slots.length);
    }
  } catch (e) {
    for (const s of slots) drop(s);
    throw e;
  }
  nextEpisode();

  return {
    get homes() {
      return slots.map((s) => s.home);
    },
    cut(gw) {
      const s = slots.find((x) => x.home.gw === gw);
      if (!s) throw new Error(`no home ${gw}`);
      drop(s);
    },
    async burst(n, withinMs, offlineMs) {
      const town = slots.slice(0, n);
      for (const s of town) drop(s);
      let messages = 0;
      await Promise.all(
        town.map(
          (_, k) =>
            new Promise<void>((resolve, reject) =>
              later(fleetTimers, Math.random() * withinMs, () => {
                if (stopped) return resolve();
                connectOne(first + k, offlineMs).then((back) => {
                  slots[k] = back;
                  messages += back.brought;
                  resolve();
                }, reject);
              }),
            ),
        ),
      );
      return { homes: town.length, messages };
    },
    /**
     * A clean goodbye (DISCONNECT) from each home still connected, so the broker sends no last
     * will; one that is not (cut, or its broker gone) has nobody to say it to.
     */
    async stop() {
      stopped = true;
      for (const t of fleetTimers) clearTimeout(t);
      for (const s of slots) clear(s);
      await Promise.all(slots.map((s) => goodbye(s.home.client, GOODBYE_MS)));
    },
  };
}

function clientOptions(o: HomesOptions, gw: string, resident: string, t: number): IClientOptions {
  return {
    clientId: `hearth-${gw}`,
    protocolVersion: 5,
    clean: true,
    keepalive: 30,
    reconnectPeriod: 500,
    // Ten thousand homes would each keep mqtt-packet's 6 MB table of ready-made numbers.
    writeCache: false,
    ca: o.ca,
    cert: o.cert,
    key: o.key,
    username: o.username,
    password: o.password,
    will: {
      topic: topics.status(gw),
      payload: Buffer.from(JSON.stringify(status(gw, resident, 'offline', t))),
      qos: 1,
      retain: true,
    },
  };
}
