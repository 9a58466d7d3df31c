// Simulated homes at the trust's end of the link: one MQTT connection per gateway, each with its
// own client id, the relay's last will (status offline, retained), a retained online status and
// heartbeats on a timer, which is what a trust's broker and hub carry for real homes. For the
// hub's load tests, its benchmark and `hearth simulate homes`.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  envelope,
  type HeartbeatMessage,
  type HomeTopicKind,
  heartbeatMessage,
  PROTOCOL_VERSION,
  type StatusMessage,
  statusMessage,
  topics,
} from '../../cloud-relay/protocol/messages.ts';

/** A simulated home writes its times in UTC, to the second: 2026-03-02T07:31:00Z. */
export const utcIso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function heartbeat(gw: string, resident: string, at: number, queueDepth = 0): HeartbeatMessage {
  return heartbeatMessage.parse({
    ...envelope({ type: 'heartbeat', id: `${gw}-heartbeat-${at}`, gateway: gw, resident, at: utcIso(at) }),
    queue_depth: queueDepth,
    uptime_s: 60,
  });
}

export function status(
  gw: string,
  resident: string,
  state: 'online' | 'offline',
  at: number,
  extra: Partial<StatusMessage> = {},
): StatusMessage {
  return statusMessage.parse({
    ...envelope({ type: 'status', id: `${gw}-status-${state}-${at}`, gateway: gw, resident, at: utcIso(at) }),
    state,
    versions: { hearth: '0.1.0', protocol: PROTOCOL_VERSION },
    queue_depth: 0,
    ...extra,
  });
}

export type HomesOptions = {
  url: string;
  count: number;
  heartbeatMs: number;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  username?: string;
  password?: string;
  /** Connections opened at once: TLS handshakes are what this bounds. */
  batch?: number;
  /**
   * Each home's first heartbeat at a random point of the interval, as a real fleet's fall, rather
   * than all of a batch together.
   */
  spread?: boolean;
  /** After each batch: how many are connected so far. */
  onProgress?: (connected: number) => void;
};

export type SimHome = {
  gw: string;
  resident: string;
  client: MqttClient;
  /** Publishes `m` on the home's topic of that kind (alert, summary, heartbeat...). */
  send(kind: HomeTopicKind, m: object): Promise<void>;
};

export type Homes = {
  homes: SimHome[];
  /** Cuts one home's connection without a goodbye: the broker sends its last will. */
  cut(gw: string): void;
  stop(): Promise<void>;
};

const pad = (i: number) => String(i).padStart(4, '0');

export async function startHomes(o: HomesOptions): Promise<Homes> {
  const homes: SimHome[] = [];
  const timers: NodeJS.Timeout[] = [];
  const batch = o.batch ?? 100;
  const beat = (h: SimHome) =>
    void h.send('heartbeat', heartbeat(h.gw, h.resident, Date.now())).catch(() => {});
  const connectOne = async (i: number): Promise<SimHome> => {
    const gw = `gw-${pad(i)}`;
    const resident = `r-${pad(i)}`;
    const t = Date.now();
    const opts: IClientOptions = {
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
    const client = mqtt.connect(o.url, opts);
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
    await client.publishAsync(topics.status(gw), JSON.stringify(status(gw, resident, 'online', t + 1)), {
      qos: 1,
      retain: true,
    });
    const home = { gw, resident, client, send };
    const every = () => timers.push(setInterval(() => beat(home), o.heartbeatMs));
    const first = () => {
      beat(home);
      every();
    };
    if (o.spread) timers.push(setTimeout(first, Math.random() * o.heartbeatMs));
    else every();
    return home;
  };
  try {
    for (let start = 0; start < o.count; start += batch) {
      const made = await Promise.all(
        Array.from({ length: Math.min(batch, o.count - start) }, (_, k) => connectOne(start + k + 1)),
      );
      homes.push(...made);
      o.onProgress?.(homes.length);
    }
  } catch (e) {
    for (const t of timers) clearTimeout(t);
    for (const h of homes) h.client.end(true);
    throw e;
  }
  return {
    homes,
    cut(gw) {
      const h = homes.find((x) => x.gw === gw);
      if (!h) throw new Error(`no home ${gw}`);
      h.client.options.reconnectPeriod = 0;
      h.client.stream.destroy();
      h.client.end(true);
    },
    /**
     * A clean goodbye (DISCONNECT) from each home still connected, so the broker sends no last
     * will; one that is not (cut, or its broker gone) has nobody to say it to.
     */
    async stop() {
      for (const t of timers) clearTimeout(t);
      await Promise.all(homes.map((h) => h.client.endAsync(!h.client.connected)));
    },
  };
}
