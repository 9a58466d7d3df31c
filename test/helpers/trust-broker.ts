// An in-process aedes broker playing the trust's broker, and an observer subscribed to hearth/#.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { freePort } from './net.ts';

export type TrustBroker = { broker: Aedes; close: () => Promise<void> };

export async function trustBroker(port: number): Promise<TrustBroker> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const close = async () => {
    await new Promise<void>((r) => broker.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  };
  return { broker, close };
}

export type Observed = { topic: string; msg: Record<string, unknown> };

/** Hears everything under hearth/ but the commands and receipts (some deliberately not JSON). */
export async function trustObserver(port: number): Promise<{ client: mqtt.MqttClient; got: Observed[] }> {
  const client = await mqtt.connectAsync({
    host: '127.0.0.1',
    port,
    clientId: 'observer',
    reconnectPeriod: 0,
  });
  const got: Observed[] = [];
  client.on('message', (topic, payload) => {
    if (!topic.includes('/cmd/') && !topic.endsWith('/receipt'))
      got.push({ topic, msg: JSON.parse(payload.toString()) });
  });
  await client.subscribeAsync('hearth/#', { qos: 1 });
  return { client, got };
}

/** The trust's broker on a free port with its observer, both closed by `later` after the test. */
export async function observedTrust(later: (fn: () => unknown) => void): Promise<{
  port: number;
  got: Observed[];
  client: mqtt.MqttClient;
}> {
  const port = await freePort();
  const t = await trustBroker(port);
  later(t.close);
  const obs = await trustObserver(port);
  later(() => obs.client.endAsync());
  return { port, ...obs };
}
