// Many simulated gateways for the hub's load and kill tests: one real MQTT connection each, its
// own client id, a last will (status offline, as the relay sets it), a retained online status,
// heartbeats on a timer, and whatever alerts and summaries the test asks it to send.
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { heartbeat, status } from './hub-messages.ts';

export type FleetOptions = {
  url: string;
  ca: string;
  cert: string;
  key: string;
  count: number;
  heartbeatMs: number;
  /** Connections opened at once; TLS handshakes are the cost. */
  batch?: number;
};

export type SimGateway = {
  gw: string;
  resident: string;
  client: MqttClient;
  send(leaf: string, m: object): Promise<void>;
};

export type Fleet = {
  gateways: SimGateway[];
  /** Cuts one gateway's connection without a goodbye: the broker sends its last will. */
  cut(gw: string): void;
  stop(): Promise<void>;
};

const pad = (i: number) => String(i).padStart(4, '0');

export async function startFleet(o: FleetOptions): Promise<Fleet> {
  const tls = { ca: readFileSync(o.ca), cert: readFileSync(o.cert), key: readFileSync(o.key) };
  const gateways: SimGateway[] = [];
  const timers: NodeJS.Timeout[] = [];
  const batch = o.batch ?? 100;
  for (let start = 0; start < o.count; start += batch) {
    const made = await Promise.all(
      Array.from({ length: Math.min(batch, o.count - start) }, async (_, k) => {
        const i = start + k + 1;
        const gw = `gw-${pad(i)}`;
        const resident = `r-${pad(i)}`;
        const t = Date.now();
        const client = mqtt.connect(o.url, {
          ...tls,
          clientId: `hearth-${gw}`,
          protocolVersion: 5,
          clean: true,
          keepalive: 30,
          reconnectPeriod: 500,
          will: {
            topic: `hearth/v1/${gw}/status`,
            payload: Buffer.from(JSON.stringify(status(gw, resident, 'offline', t))),
            qos: 1,
            retain: true,
          },
        });
        await new Promise<void>((resolve, reject) => {
          client.once('connect', () => resolve());
          client.once('error', reject);
        });
        const send = async (leaf: string, m: object) => {
          await client.publishAsync(`hearth/v1/${gw}/${leaf}`, JSON.stringify(m), { qos: 1 });
        };
        await client.publishAsync(
          `hearth/v1/${gw}/status`,
          JSON.stringify(status(gw, resident, 'online', t + 1)),
          { qos: 1, retain: true },
        );
        timers.push(
          setInterval(
            () => void send('heartbeat', heartbeat(gw, resident, Date.now())).catch(() => {}),
            o.heartbeatMs,
          ),
        );
        return { gw, resident, client, send };
      }),
    );
    gateways.push(...made);
  }
  return {
    gateways,
    cut(gw) {
      const g = gateways.find((x) => x.gw === gw);
      if (!g) throw new Error(`no gateway ${gw}`);
      g.client.options.reconnectPeriod = 0;
      g.client.stream.destroy();
      g.client.end(true);
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.all(gateways.map((g) => new Promise<void>((r) => g.client.end(true, {}, () => r()))));
    },
  };
}
