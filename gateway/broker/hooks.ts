// aedes's publish, subscribe and forward hooks, adapted to the pure policies: who may publish
// and subscribe to what (acl.ts), what is kept retained (retained.ts), and what a client that
// does not read is still sent (backlog.ts).
import type { AedesOptions, Client } from 'aedes';
import type { Config } from '../../config/schema.ts';
import { type AclUser, canPublish, canSubscribe, topicProblem } from './acl.ts';
import { forward } from './backlog.ts';
import type { Connection } from './frame-limit.ts';
import type { Refusals } from './refusal-log.ts';
import { RetainedBudget } from './retained.ts';

export type HookDeps = Refusals & {
  limits: Config['local_broker']['limits'];
  signedIn: WeakMap<Client, AclUser>;
  now(): number;
  count(name: string): void;
  /** Removes what is kept retained on a topic. */
  clearRetained(topic: string): void;
};

type Hooks = Required<Pick<AedesOptions, 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>>;

export function publishHooks(d: HookDeps): Hooks {
  const retained = new RetainedBudget({
    perUserBytes: d.limits.max_retained_per_user,
    totalBytes: d.limits.max_retained,
  });
  /** Past the bounds a retained message is delivered but not kept; the older one on its topic goes. */
  const keepRetained = (
    user: string,
    packet: { topic: string; payload: Buffer | string; retain: boolean },
  ) => {
    const r = retained.admit(user, packet.topic, Buffer.byteLength(packet.payload));
    if (r.keep) return;
    d.refused(
      'broker.retained_refused',
      { user, topic: packet.topic },
      `local broker: not retained: ${r.reason}`,
    );
    packet.retain = false;
    if (r.clearOlder) d.clearRetained(packet.topic);
  };
  return {
    authorizePublish(client, packet, done) {
      const bad = topicProblem(packet.topic);
      if (bad) {
        d.refused('broker.topic_refused', { client: client?.id }, `local broker: ${bad}`);
        return done(new Error(bad)); // MQTT 3.1.1: the connection is closed
      }
      const user = client ? d.signedIn.get(client) : undefined;
      const ok = canPublish(user, packet.topic);
      if (!ok.ok) {
        d.refused('broker.publish_denied', { client: client?.id }, `local broker: ${ok.reason}`);
        return done(new Error(ok.reason));
      }
      if (packet.retain && user) keepRetained(user.name, packet);
      done(null);
    },
    authorizeSubscribe(client, sub, done) {
      const bad = topicProblem(sub.topic);
      if (bad) {
        d.refused('broker.topic_refused', { client: client.id }, `local broker: ${bad}`);
        return done(new Error(bad), null);
      }
      const ok = canSubscribe(d.signedIn.get(client), sub.topic);
      if (ok.ok) return done(null, sub);
      d.refused('broker.subscribe_denied', { client: client.id }, `local broker: ${ok.reason}`);
      done(null, null); // SUBACK 0x80 for this filter, as MQTT 3.1.1 specifies
    },
    authorizeForward: forwardHook(d),
  };
}

/** Since when each client has had more waiting for it than max_backlog, and what it is sent. */
function forwardHook(d: HookDeps): Hooks['authorizeForward'] {
  const behind = new WeakMap<Client, number>();
  const limits = { maxBytes: d.limits.max_backlog, stalledMs: d.limits.stalled_after };
  return (client, packet) => {
    const conn = client.conn as Connection;
    const f = forward(conn.backlog(), packet.qos, behind.get(client) ?? null, d.now(), limits);
    if (f.overSince === null) behind.delete(client);
    else {
      if (!behind.has(client))
        d.warn(
          'broker.slow',
          { client: client.id },
          'local broker: a client is not reading; its QoS 0 messages are dropped',
        );
      behind.set(client, f.overSince);
    }
    if (f.action === 'send') return packet;
    if (f.action === 'drop') d.count('broker.slow_dropped');
    else {
      d.refused('broker.slow_closed', { client: client.id }, `local broker closed a connection: ${f.reason}`);
      // Not from inside aedes's delivery: once it is done with this message.
      setImmediate(() => conn.destroy());
    }
    return null;
  };
}
