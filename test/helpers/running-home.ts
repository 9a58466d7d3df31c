// `hearth run` on the reference home, with MQTT clients of its local broker: a device publishing
// as the file's user, and the gateway's own user (from local-broker.json) reading what it says.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import mqtt from 'mqtt';
import { type Running, startHearth } from './cli.ts';
import { type HomeFile, homeFile } from './home-file.ts';
import { tempDir } from './tmp.ts';
import { until } from './until.ts';

export type RunningHome = {
  gw: Running;
  home: HomeFile;
  port: number;
  /** A client of the local broker; `as` signs in (the gateway's own user by default). */
  connect(opts?: mqtt.IClientOptions): Promise<mqtt.MqttClient>;
  /** Fails at once, with the output, if the gateway has exited. */
  alive(): void;
  /** Waits for a condition, failing at once if the gateway exits meanwhile. */
  until(what: string, ok: () => boolean, ms?: number): Promise<void>;
  stop(): Promise<number | null>;
};

/** The password of the reference home's zigbee2mqtt user, given by the test's environment. */
export const Z2M = { username: 'zigbee2mqtt', password: 'not-a-real-password' };

export async function runningHome(edit: (text: string) => string = (t) => t): Promise<RunningHome> {
  const home = await homeFile(tempDir(), edit);
  const gw = startHearth(['run', '--config', home.file], {
    ...home.env,
    HEARTH_TEST_DEVICES: 'devices-secret',
  });
  await gw.waitFor(/gateway running/);
  const cred = JSON.parse(readFileSync(join(dirname(home.db), 'local-broker.json'), 'utf8'));
  const clients: mqtt.MqttClient[] = [];
  const alive = () => {
    if (gw.child.exitCode !== null || gw.child.signalCode !== null)
      throw new Error(`hearth exited (${gw.child.exitCode ?? gw.child.signalCode}):\n${gw.output()}`);
  };
  return {
    gw,
    home,
    port: cred.port,
    alive,
    async connect(opts = {}) {
      const c = await mqtt.connectAsync({
        host: '127.0.0.1',
        port: cred.port,
        username: cred.username,
        password: cred.password,
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...opts,
      });
      clients.push(c);
      return c;
    },
    until: (what, ok, ms) =>
      until(
        what,
        () => {
          alive();
          return ok();
        },
        ms,
      ),
    async stop() {
      for (const c of clients) c.end(true);
      if (gw.child.exitCode === null) gw.child.kill('SIGTERM');
      return (await gw.exited).code;
    },
  };
}

/** Every message a client hears, by topic, as text. */
export function heard(client: mqtt.MqttClient): { topic: string; text: string }[] {
  const got: { topic: string; text: string }[] = [];
  client.on('message', (topic, payload) => got.push({ topic, text: payload.toString() }));
  return got;
}
