// A client of the running gateway's own local broker, for the home's command line (hearth status,
// hearth mode): the gateway writes the credential of its own user beside the database
// (local-broker.json, readable by the gateway's user only), so a tool on the Pi signs in as it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import mqtt from 'mqtt';
import type { Config } from '../../config/schema.ts';

/** A client signing in as the gateway's own user, or null when no gateway has written the file. */
export function localClient(config: Config, timeoutMs: number): mqtt.MqttClient | null {
  const file = join(dirname(config.storage.path), 'local-broker.json');
  let cred: { username: string; password: string; host?: string; port?: number };
  try {
    cred = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  const host = !cred.host || cred.host === '0.0.0.0' || cred.host === '::' ? '127.0.0.1' : cred.host;
  return mqtt.connect({
    host,
    port: cred.port,
    username: cred.username,
    password: cred.password,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
  });
}
