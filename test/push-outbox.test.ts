// Pushes to carers' phones are durable: written with the alert state that causes them, in its
// transaction, and sent by whichever hub instance is alive, on SQLite and on a real PostgreSQL.
// An instance stopped before sending (or with the row in hand) loses nothing; two instances never
// send one push twice; a dead endpoint is retried with growing waits and ends in an audited
// failure and a hub alert on the console's queue. Time is the test's clock.
import { describe, expect, it } from 'vitest';
import { auditLog } from '../cloud-relay/hub/audit.ts';
import { putStaff } from '../cloud-relay/hub/console/accounts.ts';
import { openHubAlerts } from '../cloud-relay/hub/console/data.ts';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { enqueueAlertsPushes, enqueueHubPushes } from '../cloud-relay/hub/push-causes.ts';
import { ntfyTransport } from '../cloud-relay/hub/push-ntfy.ts';
import { claimDue } from '../cloud-relay/hub/push-outbox.ts';
import { PushSender } from '../cloud-relay/hub/push-sender.ts';
import { pushDb, pushTx } from '../cloud-relay/hub/push-tables.ts';
import { HubStore, type StoreEffects } from '../cloud-relay/hub/store.ts';
import { createLogger } from '../core/log.ts';
import { TEST_COST } from './helpers/console-rig.ts';
import { type Backend, hubBackends, received } from './helpers/hub-backends.ts';
import { alert } from './helpers/hub-messages.ts';
import { ntfyServer } from './helpers/ntfy-server.ts';

const GW = 'gw-1';
const R = 'r-1';
const T0 = Date.parse('2026-03-02T10:00:00Z');
const BASE = 'https://care.example.org';
const RETRY = [5_000, 30_000, 120_000, 600_000];
const log = createLogger({ level: 'silent' });
const BACKENDS = hubBackends();

const effects: StoreEffects = {
  alertsMoved: (t, moved, at) => enqueueAlertsPushes(pushTx(t), moved, at, BASE),
  hubAlertRaised: (t, a, at) => enqueueHubPushes(pushTx(t), a, at, BASE),
};

async function staff(store: HubStore, carlTopic: string, oliveTopic?: string) {
  const db = consoleDb(store.db);
  const pw = 'correct horse battery';
  await putStaff(db, { name: 'carl', role: 'carer', password: pw, residents: [R], pushUrl: carlTopic }, T0, {
    cost: TEST_COST,
  });
  // Assigned to someone else: never told of r-1.
  await putStaff(
    db,
    { name: 'cora', role: 'carer', password: pw, residents: ['r-2'], pushUrl: `${carlTopic}-cora` },
    T0,
    { cost: TEST_COST },
  );
  await putStaff(
    db,
    {
      name: 'olive',
      role: 'operator',
      password: pw,
      residents: [],
      ...(oliveTopic ? { pushUrl: oliveTopic } : {}),
    },
    T0,
    { cost: TEST_COST },
  );
}

function sender(store: HubStore, b: Backend, instance: string, clock: { now: number }) {
  return new PushSender({
    store,
    log,
    now: () => clock.now,
    instance,
    skipLocked: b.postgres,
    transports: { ntfy: ntfyTransport() },
    retryMs: RETRY,
    leaseMs: 60_000,
  });
}

const raised = (id: string, at: number) =>
  received(`hearth/v1/${GW}/alert`, alert(GW, R, id, 'raised', at), at);

const rows = (store: HubStore) => pushDb(store.db).selectFrom('push_outbox').selectAll().execute();

describe.each(BACKENDS)('the push outbox on $name', (b) => {
  it('keeps a push written with its alert through an instance stopped before sending; another sends it', async () => {
    const ntfy = await ntfyServer();
    const { store: a, another } = await b.open(effects);
    const other = await another();
    await staff(a, `${ntfy.url}/carl`);
    const clock = { now: T0 };

    // Instance a stores two urgent alerts: one push each, to Carl only, in the alert's transaction.
    await a.receive(raised('a1', T0));
    await a.receive(raised('a2', T0));
    expect((await rows(a)).map((r) => [r.recipient, r.channel, r.state])).toEqual([
      ['carl', 'ntfy', 'due'],
      ['carl', 'ntfy', 'due'],
    ]);
    // a claims the first and stops with it in hand; it never sends the second either.
    const held = await a.tx((t) =>
      claimDue(pushTx(t), { now: T0, leaseMs: 60_000, limit: 1, skipLocked: b.postgres }),
    );
    expect(held).toHaveLength(1);
    await a.close();

    const survivor = sender(other, b, 'hub-b', clock);
    // The row a was given is its own until the claim lapses; the other is sent at once.
    expect(await survivor.runNow()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(ntfy.posted).toHaveLength(1);
    clock.now = T0 + 61_000;
    expect(await survivor.runNow()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(ntfy.posted.map((p) => p.path)).toEqual(['/carl', '/carl']);
    expect(ntfy.posted[0]).toMatchObject({
      title: 'Hearth r-1: inactivity (lounge)',
      body: expect.stringMatching(/No movement/),
    });
    expect(await rows(other)).toEqual([]);
    const audited = (await auditLog(consoleDb(other.db), { q: 'push' })).filter((e) => e.action === 'push');
    expect(audited.map((e) => [e.staff, e.outcome, e.detail])).toEqual([
      ['carl', 'ok', 'raised (ntfy); by hub-b'],
      ['carl', 'ok', 'raised (ntfy); by hub-b'],
    ]);
    await survivor.stop();
    await ntfy.close();
  });

  it('sends each push once when two instances look at the same moment', async () => {
    const ntfy = await ntfyServer();
    const { store: a, another } = await b.open(effects);
    const other = await another();
    await staff(a, `${ntfy.url}/carl`);
    for (let i = 0; i < 20; i++) await a.receive(raised(`a${i}`, T0));
    const clock = { now: T0 };
    const [x, y] = [sender(a, b, 'hub-a', clock), sender(other, b, 'hub-b', clock)];
    const passes = await Promise.all([x.runNow(), y.runNow(), x.runNow(), y.runNow()]);
    expect(passes.reduce((n, p) => n + p.sent, 0)).toBe(20);
    expect(ntfy.posted).toHaveLength(20);
    expect(await rows(a)).toEqual([]);
    await ntfy.close();
  });

  it('retries a dead endpoint with growing waits, then audits the failure and raises a hub alert on the queue', async () => {
    const dead = await ntfyServer(503);
    const olives = await ntfyServer();
    const { store } = await b.open(effects);
    await staff(store, `${dead.url}/carl`, `${olives.url}/olive`);
    const clock = { now: T0 };
    const s = sender(store, b, 'hub-a', clock);
    await store.receive(raised('a1', T0));
    const seen: string[] = [];
    for (const wait of [0, ...RETRY]) {
      // Not due a moment before its wait is over.
      if (wait) {
        clock.now += wait - 1;
        expect(await s.runNow()).toEqual({ sent: 0, retried: 0, failed: 0 });
        clock.now += 1;
      }
      const p = await s.runNow();
      seen.push(p.failed ? 'failed' : p.retried ? 'retried' : 'none');
    }
    expect(seen).toEqual(['retried', 'retried', 'retried', 'retried', 'failed']);
    expect(dead.posted).toHaveLength(5);
    const [row] = await rows(store);
    expect(row).toMatchObject({ recipient: 'carl', state: 'failed', attempts: 5, last_error: 'HTTP 503' });

    const audited = (await auditLog(consoleDb(store.db), { q: 'carl' })).filter((e) => e.action === 'push');
    expect(audited).toEqual([
      expect.objectContaining({ outcome: 'failed', target: `${GW}/a1`, detail: 'HTTP 503; by hub-a' }),
    ]);
    const olive = { name: 'olive', role: 'operator' as const, residents: new Set<string>() };
    const queue = await openHubAlerts(consoleDb(store.db), olive);
    expect(queue).toEqual([
      expect.objectContaining({
        kind: 'push_failed',
        gateway: GW,
        severity: 'urgent',
        reason:
          'Could not tell carl of the urgent alert a1 of resident r-1 on their phone (ntfy) after 5 attempts: HTTP 503. Call them.',
      }),
    ]);
    // The monitoring team's phones hear of it: the hub alert's own push, queued with it.
    expect(await s.runNow()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(olives.posted).toEqual([
      expect.objectContaining({ path: '/olive', title: `Hearth hub: push failed (${GW})` }),
    ]);
    await dead.close();
    await olives.close();
  });

  it('commits a push with its alert state or not at all', async () => {
    const { store, another } = await b.open({
      alertsMoved: async (t, moved, at) => {
        await enqueueAlertsPushes(pushTx(t), moved, at, BASE);
        throw Object.assign(new Error('the disk is full'), { code: 'EIO' });
      },
    });
    await staff(store, 'http://127.0.0.1:9/carl');
    await expect(store.receive(raised('a1', T0))).rejects.toThrow('the disk is full');
    expect(await rows(store)).toEqual([]);
    expect(await store.db.selectFrom('alerts').selectAll().execute()).toEqual([]);
    // Delivered again, to an instance whose disk is fine: the alert and its push, together.
    const other = await another();
    await new HubStore(other.db, effects).receive(raised('a1', T0));
    expect((await rows(store)).map((r) => r.recipient)).toEqual(['carl']);
  });

  it('writes one push per stored state: none for a repeat, for what is not urgent or already answered', async () => {
    const { store } = await b.open(effects);
    await staff(store, 'http://127.0.0.1:9/carl');
    const warning = { ...alert(GW, R, 'w1', 'raised', T0), severity: 'warning' as const, id: 'w1-raised' };
    await store.receive(received(`hearth/v1/${GW}/alert`, warning, T0));
    await store.receive(received(`hearth/v1/${GW}/alert`, alert(GW, R, 'a1', 'acknowledged', T0), T0));
    // A repeat of a stored message moves nothing and queues nothing.
    await store.receive(raised('a2', T0));
    await store.receive(raised('a2', T0));
    expect((await rows(store)).length).toBe(1);
  });
});
