// `hearth demo --console`: the trust's store and care console beside the demo's trust broker, on
// http://127.0.0.1:8080 (or any free port when that one is taken) with a demo sign-in, so the
// day's alerts and summaries can be looked at, and acknowledged, in a browser. The demo's broker
// is embedded aedes, which speaks MQTT 3.1.1 only, so this reads the homes' topics with a plain
// client of its own instead of the hub's MQTT 5 session; what it stores and serves is the hub's.
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { ModeAsk } from '../../cloud-relay/hub/mode.ts';
import { generatePassword } from '../../gateway/broker/credentials.ts';

export type DemoHub = { url: string; user: string; password: string; stop(): Promise<void> };

export async function startDemoHub(o: {
  dir: string;
  trustPort: number;
  /** The trust broker's account the console reads and acknowledges with. */
  user: string;
  password: string;
  gateway: string;
  resident: string;
  timezone: string;
  now: () => number;
}): Promise<DemoHub> {
  const [{ acknowledge }, { openDb, sqliteTarget }, { parseIncoming, SUBSCRIPTIONS }, { HubStore }] =
    await Promise.all([
      import('../../cloud-relay/hub/ack.ts'),
      import('../../cloud-relay/hub/db.ts'),
      import('../../cloud-relay/hub/incoming.ts'),
      import('../../cloud-relay/hub/store.ts'),
    ]);
  const [{ startConsole }, { LiveFeed }, { putStaff }, { consoleDb }, { sendMode }] = await Promise.all([
    import('../../cloud-relay/hub/console/app.ts'),
    import('../../cloud-relay/hub/live-feed.ts'),
    import('../../cloud-relay/hub/console/accounts.ts'),
    import('../../cloud-relay/hub/console-tables.ts'),
    import('../../cloud-relay/hub/mode.ts'),
  ]);
  const store = new HubStore(openDb(sqliteTarget(join(o.dir, 'hub-data'))).db);
  await store.migrate();
  await store.expectHomes([{ gateway: o.gateway, resident: o.resident, heartbeatMs: 60_000 }], o.now());
  const live = new LiveFeed();
  const client = await mqtt.connectAsync({
    host: '127.0.0.1',
    port: o.trustPort,
    username: o.user,
    password: o.password,
    clientId: 'hub-demo',
    reconnectPeriod: 0,
  });
  // One message at a time, in order, as the hub's receiver does.
  let chain = Promise.resolve();
  client.on('message', (topic, payload) => {
    chain = chain.then(async () => {
      const p = parseIncoming(topic, payload);
      if (!p.ok) return;
      const r = await store.receive({
        incoming: p.incoming,
        topic,
        receivedAt: o.now(),
        instance: 'demo',
        defaultHeartbeatMs: 60_000,
      });
      if (!r.duplicate) live.notifyTopic(topic);
    });
    // A message the store refused is lost to the demo's page, not to the chain after it.
    chain = chain.catch(() => undefined);
  });
  await client.subscribeAsync(SUBSCRIPTIONS, { qos: 1 });
  const deps = {
    store,
    live,
    now: o.now,
    timezone: o.timezone,
    health: () => ({ ok: client.connected, instance: 'demo' }),
    ack: (req: { alertId: string; by: string; gateway?: string }) =>
      acknowledge(
        {
          store,
          now: o.now,
          publish: async (t, payload) => void (await client.publishAsync(t, payload, { qos: 1 })),
        },
        req,
      ),
    mode: (req: ModeAsk) =>
      sendMode(
        {
          store,
          now: o.now,
          publish: async (t, payload) => void (await client.publishAsync(t, payload, { qos: 1 })),
        },
        req,
      ),
  };
  const web = await startConsole(deps, { host: '127.0.0.1', port: 8080 }).catch(
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') return startConsole(deps, { host: '127.0.0.1', port: 0 });
      throw e;
    },
  );
  const password = generatePassword();
  await putStaff(consoleDb(store.db), { name: 'demo', role: 'operator', password, residents: [] }, o.now());
  return {
    url: `http://127.0.0.1:${web.port}`,
    user: 'demo',
    password,
    async stop() {
      await web.stop();
      await client.endAsync();
      await chain;
      await store.close();
    },
  };
}

/** Resolves once the demo is told to stop (Ctrl-C). */
export const untilAborted = (signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) resolve();
    else signal?.addEventListener('abort', () => resolve(), { once: true });
  });
