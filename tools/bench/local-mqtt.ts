// Zigbee2MQTT messages per second, end to end: an MQTT client on loopback -> the local broker ->
// the mapper -> ingest -> rules -> the event log on disk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { parseConfigText } from '../../config/parse.ts';
import { RealClock } from '../../core/clock.ts';
import { createLogger } from '../../core/log.ts';
import { startGateway } from '../../gateway/main.ts';
import { freePort } from '../testbed/free-port.ts';

export async function measureZigbeeIngest(count: number): Promise<{ perSecond: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-mqtt-'));
  const port = await freePort();
  process.env.HEARTH_BENCH_Z2M = 'bench-only-password';
  const devices = Array.from(
    { length: 20 },
    (_, i) => `  - { id: motion-${i}, source: zigbee2mqtt, topic: zigbee2mqtt/motion_${i}, room: hall }`,
  ).join('\n');
  const parsed = parseConfigText(`version: 1
gateway: { id: gw-bench, resident: r-bench, timezone: Europe/London }
rooms: [hall]
devices:
${devices}
rules:
  inactivity:
    windows: [{ from: "00:00", to: "12:00", quiet: 3h }, { from: "12:00", to: "00:00", quiet: 3h }]
local_broker:
  listen: [{ host: 127.0.0.1, port: ${port} }]
  users: [{ name: zigbee2mqtt, password: "\${env:HEARTH_BENCH_Z2M}", publish: ["zigbee2mqtt/#"] }]
storage: { path: ${join(dir, 'bench.db')} }
`);
  if (!parsed.config) throw new Error('bench provisioning file refused');
  const gw = await startGateway({
    config: parsed.config,
    log: createLogger({ level: 'silent' }),
    clock: new RealClock(),
    bluetoothSysfs: dir,
  });
  try {
    const client = await mqtt.connectAsync({
      host: '127.0.0.1',
      port,
      username: 'zigbee2mqtt',
      password: 'bench-only-password',
      reconnectPeriod: 0,
    });
    const accepted = () => gw.counters.get('ingest.accepted');
    const t0 = performance.now();
    for (let i = 0; i < count; i++)
      client.publish(`zigbee2mqtt/motion_${i % 20}`, `{"occupancy":${i % 2 === 0},"battery":90}`);
    // Wait for the last one: each message gives two readings (occupancy, battery).
    while (accepted() < count * 2) await new Promise((r) => setImmediate(r));
    const seconds = (performance.now() - t0) / 1000;
    await client.endAsync();
    return { perSecond: count / seconds };
  } finally {
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
