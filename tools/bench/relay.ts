// The relay against a real Mosquitto on loopback: a 10,000-message backlog drained (messages/s),
// and alert latency from the Reading to the broker's PUBACK under 100 readings/s (p50, p99).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topics } from '../../cloud-relay/protocol/messages.ts';
import { Relay } from '../../cloud-relay/uplink/relay.ts';
import { parseConfigText } from '../../config/parse.ts';
import { RealClock } from '../../core/clock.ts';
import { Counters } from '../../core/counters.ts';
import { createLogger } from '../../core/log.ts';
import { Zone } from '../../core/zone.ts';
import { startGateway } from '../../gateway/main.ts';
import { Store } from '../../gateway/store/store.ts';
import { type PlainMosquitto, plainMosquitto } from '../testbed/plain-mosquitto.ts';

const mosquitto = (dir: string): Promise<PlainMosquitto> =>
  plainMosquitto(dir, [
    'persistence false',
    'max_inflight_messages 0',
    'max_queued_messages 100000',
    'set_tcp_nodelay true',
  ]);

const config = (port: number, dir: string, devices = '') =>
  parseConfigText(`version: 1
gateway: { id: gw-bench, resident: r-bench, timezone: Europe/London }
rooms: [hall]
devices:
  - { id: remote, source: zigbee2mqtt, topic: zigbee2mqtt/remote, room: hall, kind: battery }
${devices}
rules:
  low_battery: { below: 15 }
local_broker:
  listen: [{ host: 127.0.0.1, port: 0 }]
relay: { url: "mqtt://127.0.0.1:${port}" }
storage: { path: ${join(dir, 'bench.db')} }
`).config;

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

export async function measureRelay(backlog: number, latencySamples: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-relay-'));
  const broker = await mosquitto(dir);
  try {
    const cfg = config(broker.port, dir);
    if (!cfg) throw new Error('bench provisioning file refused');
    // Backlog: rows queued while offline, drained by the relay on its own.
    const store = Store.open(join(dir, 'backlog.db'));
    store.transaction(() => {
      for (let i = 0; i < backlog; i++)
        store.outbox.add({
          id: `b-${i}`,
          topic: topics.alert('gw-bench'),
          type: 'alert',
          payload: JSON.stringify({ v: 1, id: `b-${i}`, n: i }),
          created_at: Date.now(),
        });
    });
    let delivered = 0;
    const relay = new Relay({
      config: cfg,
      outbox: store.outbox,
      commandLog: store.commands,
      clock: new RealClock(),
      zone: new Zone('Europe/London'),
      log: createLogger({ level: 'silent' }),
      counters: new Counters(),
      version: 'bench',
      commands: { ack: () => ({ ok: false, detail: '' }) },
      onDelivered: () => delivered++,
    });
    const t0 = performance.now();
    relay.start();
    while (delivered < backlog) await new Promise((r) => setTimeout(r, 5));
    const drainPerS = backlog / ((performance.now() - t0) / 1000);
    await relay.stop();
    store.close();

    // Latency: the whole gateway; each battery reading flips an alert (raised / resolved).
    const sent: number[] = [];
    const lat: number[] = [];
    const gw = await startGateway({
      config: cfg,
      log: createLogger({ level: 'silent' }),
      clock: new RealClock(),
      bluetoothSysfs: dir,
    });
    const relayOf = gw.relay as Relay;
    while (!relayOf.connected) await new Promise((r) => setTimeout(r, 5));
    const counters = gw.counters;
    const before = counters.get('relay.delivered');
    for (let i = 0; i < latencySamples; i++) {
      const t = performance.now();
      sent.push(t);
      gw.submit({ device: 'remote', at: Date.now(), kind: 'battery', value: i % 2 === 0 ? 10 : 100 });
      const want = before + i + 1;
      while (counters.get('relay.delivered') < want) await new Promise((r) => setImmediate(r));
      lat.push(performance.now() - t);
      // 100 readings/s: the rest of this 10 ms slot is idle.
      const left = 10 - (performance.now() - t);
      if (left > 0) await new Promise((r) => setTimeout(r, left));
    }
    await gw.stop();
    return {
      relay_drain_msgs_per_s: drainPerS,
      alert_latency_p50_ms: percentile(lat, 50),
      alert_latency_p99_ms: percentile(lat, 99),
    };
  } finally {
    broker.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
