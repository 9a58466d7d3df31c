// The trust broker's ACL is the first wall between homes: each home may write only
// hearth/v1/<its CN>/# and read only its own cmd/# and receipt. At start the hub signs in with a
// probe identity (a home certificate that is no real home) and tries both: to publish on another
// home's topic, and to read another home's commands and receipts. Signatures still hold a home to its own
// name if the wall is missing, but a trust must know its broker lets one home impersonate another.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import type { Logger } from '../../core/log.ts';
import { topics } from '../protocol/messages.ts';
import type { BrokerOptions } from './receiver.ts';

/** A gateway id no home has: the probe writes to and reads from its topics. */
export const PROBE_TARGET = 'hearth-acl-probe-target';

export type ProbeVerdict = 'closed' | 'open' | 'unknown';

export type ProbeDeps = {
  broker: BrokerOptions;
  probe: { cert: Buffer; key: Buffer };
  instance: string;
  log: Logger;
  /** Resolves true when the hub's own session receives a message on `topic` carrying `nonce`. */
  watch(topic: string, nonce: string, ms: number): Promise<boolean>;
  /** Publishes as the hub (which may write every home's cmd/#). */
  publish(topic: string, payload: string): Promise<void>;
  /** What to do when the wall is missing: a hub alert. */
  onOpen(what: string): Promise<void>;
  timeoutMs?: number;
};

export async function probeBrokerAcl(d: ProbeDeps): Promise<ProbeVerdict> {
  const ms = d.timeoutMs ?? 3_000;
  const nonce = randomUUID();
  let client: mqtt.MqttClient;
  try {
    client = await mqtt.connectAsync(d.broker.url, {
      clientId: `hearth-acl-probe-${d.instance}`,
      clean: true,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: ms,
      ca: d.broker.ca,
      cert: d.probe.cert,
      key: d.probe.key,
    });
  } catch (e) {
    d.log.warn(
      `hub: the ACL probe could not sign in to the trust broker (${(e as Error).message}); the ACL is unchecked`,
    );
    return 'unknown';
  }
  try {
    const written = topics.heartbeat(PROBE_TARGET);
    const commands = topics.command(PROBE_TARGET, '#');
    const receipts = topics.receipt(PROBE_TARGET);
    const heardWrite = d.watch(written, nonce, ms);
    const heardRead = new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      client.on('message', (_topic, payload) => {
        if (payload.toString().includes(nonce)) {
          clearTimeout(t);
          resolve(true);
        }
      });
    });
    await client.subscribeAsync([commands, receipts], { qos: 1 }).catch(() => undefined);
    // A broker that refuses says so in the PUBACK (MQTT 5) or drops the message: either is right.
    await client
      .publishAsync(written, JSON.stringify({ acl_probe: nonce }), { qos: 1 })
      .catch(() => undefined);
    for (const topic of [topics.command(PROBE_TARGET, 'ping'), receipts])
      await d.publish(topic, JSON.stringify({ acl_probe: nonce })).catch(() => undefined);
    const [wrote, read] = await Promise.all([heardWrite, heardRead]);
    if (!wrote && !read) {
      d.log.info(
        "hub: trust broker ACL checked: a home's identity can neither write nor read another home's topics",
      );
      return 'closed';
    }
    const what = [wrote ? 'publish on' : '', read ? 'read the commands or receipts of' : '']
      .filter(Boolean)
      .join(' and ');
    d.log.error(
      `hub: THE TRUST BROKER'S ACL IS OPEN: one home's certificate may ${what} another home's topics. Signatures keep each home to its own name, but fix the ACL (README: the trust's broker).`,
    );
    await d.onOpen(what);
    return 'open';
  } finally {
    client.end(true);
  }
}
