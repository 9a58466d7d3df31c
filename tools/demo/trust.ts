// The trust, inside the demo: a second embedded broker, and a "monitoring centre" that reads what
// arrives, receipts it as the hub would once stored, acknowledges the daily test call at once as
// the hub does, and acknowledges alerts after a few minutes, as a person would.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { receiptPayloads } from '../../cloud-relay/hub/receipts.ts';
import { PROTOCOL_VERSION, parseTopic, TEST_CALL_RULE, topics } from '../../cloud-relay/protocol/messages.ts';
import type { Clock } from '../../core/clock.ts';
import { generatePassword } from '../../gateway/broker/credentials.ts';

export type Arrival = { topic: string; message: Record<string, unknown> };

export async function startTrust(
  gatewayUser: string,
): Promise<{ port: number; gatewayPassword: string; centrePassword: string; close: () => Promise<void> }> {
  const gatewayPassword = generatePassword();
  const centrePassword = generatePassword();
  const broker = await Aedes.createBroker({
    authenticate: (_c, user, pw, done) =>
      done(
        null,
        (user === gatewayUser && pw?.toString() === gatewayPassword) ||
          (user === 'centre' && pw?.toString() === centrePassword),
      ),
  });
  const server: Server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return {
    port,
    gatewayPassword,
    centrePassword,
    close: async () => {
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The monitoring centre: hears everything, acknowledges warnings and urgent alerts after `delayMs`. */
export async function monitoringCentre(o: {
  port: number;
  password: string;
  gateway: string;
  clock: Clock;
  delayMs: number;
  onArrival: (a: Arrival) => void;
  onAck: (alertId: string, commandId: string) => void;
}) {
  const client = await mqtt.connectAsync({
    host: '127.0.0.1',
    port: o.port,
    username: 'centre',
    password: o.password,
    reconnectPeriod: 0,
  });
  let pending = 0;
  let n = 0;
  let received = 0;
  const ids = new Set<string>();
  client.on('message', (topic, payload, packet) => {
    // What the gateway delivered: not the retained status, not the centre's own commands.
    const t = parseTopic(topic);
    const own = t.ok && (t.kind === 'command' || t.kind === 'receipt');
    if (!packet.retain && !own) received++;
    if (own) return;
    const message = JSON.parse(payload.toString()) as Record<string, unknown>;
    ids.add(String(message.id));
    o.onArrival({ topic, message });
    if (t.ok && (t.kind === 'alert' || t.kind === 'summary' || t.kind === 'night'))
      for (const receipt of receiptPayloads([String(message.id)]))
        client.publish(topics.receipt(o.gateway), receipt, { qos: 1 });
    if (message.type === 'cmd_result') pending = Math.max(0, pending - 1);
    const ack = (alertId: string, by: string) => {
      const id = `demo-ack-${++n}`;
      pending++; // until its cmd_result comes back
      o.onAck(alertId, id);
      client.publish(
        topics.command(o.gateway, 'ack'),
        JSON.stringify({ v: PROTOCOL_VERSION, id, alert_id: alertId, by }),
        { qos: 1 },
      );
    };
    if (message.type === 'alert' && message.rule === TEST_CALL_RULE && message.state === 'raised')
      ack(String(message.alert_id), 'hub');
    else if (
      message.type === 'alert' &&
      (message.state === 'raised' || message.state === 'escalated') &&
      message.severity !== 'info'
    ) {
      const alertId = String(message.alert_id);
      o.clock.timer(o.clock.now() + o.delayMs, () => ack(alertId, 'Sam at the monitoring centre'));
    }
  });
  await client.subscribeAsync(`hearth/v1/${o.gateway}/#`, { qos: 1 });
  return {
    pending: () => pending,
    received: () => received,
    /** Whether the message with this id has arrived. */
    heard: (id: string) => ids.has(id),
    /** Asks the gateway for a day's summary now, as the care team may (request-summary). */
    requestSummary(date: string) {
      pending++;
      client.publish(
        topics.command(o.gateway, 'request-summary'),
        JSON.stringify({ v: PROTOCOL_VERSION, id: `demo-summary-${date}`, date }),
        { qos: 1 },
      );
    },
    close: () => client.endAsync(),
  };
}
