// One home's message must never stop the hub for the others: a running hub against a real
// Mosquitto, on its embedded SQLite and on PostgreSQL, is sent what a faulty or hostile home
// might send, and another home's alert is still stored straight after, and after a restart.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listAlerts } from '../../cloud-relay/hub/queries.ts';
import type { HubConfigInput } from '../../config/hub-schema.ts';
import { alert } from '../helpers/hub-messages.ts';
import { eventually, homeClient, testHub } from '../helpers/hub-rig.ts';
import { type Mosquitto, makePki, mosquitto, type Pki, TRUST_ACL } from '../helpers/mosquitto.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/tmp.ts';

const A = 'gw-a';
const B = 'gw-b';
const T0 = Date.parse('2026-03-02T10:00:00Z');

let pki: Pki;
let broker: Mosquitto;
let pg: Postgres;
beforeAll(async () => {
  pki = makePki(A, [B]);
  broker = await mosquitto(pki, A, { acl: TRUST_ACL });
  [pg] = await Promise.all([startPostgres(), broker.start()]);
});
afterAll(async () => {
  await broker?.remove();
  await pg?.stop();
  pki?.remove();
});

const cleanups: (() => unknown)[] = [];
const later = (fn: () => unknown) => cleanups.push(fn);
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

let dbs = 0;
const DATABASES = [
  { name: 'embedded SQLite', edit: async (c: HubConfigInput) => c },
  {
    name: 'PostgreSQL',
    edit: async (c: HubConfigInput): Promise<HubConfigInput> => ({
      ...c,
      database: { url: await pg.createDatabase(`hostile_${process.pid}_${++dbs}`) },
    }),
  },
];

const stored = async (h: { store: { db: Parameters<typeof listAlerts>[0] } }, gw: string, id: string) =>
  (await listAlerts(h.store.db)).some((a) => a.gateway === gw && a.alert_id === id);

describe.each(DATABASES)('the hub on $name, sent what one home should never send', ({ edit }) => {
  async function rig() {
    const dir = tempDir('hearth-hub-hostile-');
    const input = await edit({} as HubConfigInput);
    const instance = `hostile${process.pid}x${++dbs}`;
    const start = () => testHub(broker, pki, later, { dir, instance, edit: (c) => ({ ...c, ...input }) });
    const a = await homeClient(broker, pki, A, pki.gateway, later);
    const b = await homeClient(broker, pki, B, pki.more[B] ?? pki.gateway, later);
    return { start, a, b };
  }

  it("an alert dated 2026-02-31T25:61:61 is refused and acknowledged; the next home's alert is stored, before and after a restart", async () => {
    const { start, a, b } = await rig();
    const first = await start();
    await a.send('alert', { ...alert(A, 'r-a', 'bad', 'raised', T0), at: '2026-02-31T25:61:61+00:00' });
    await b.send('alert', alert(B, 'r-b', 'b1', 'raised', T0));
    await eventually("the other home's alert", () => stored(first.h, B, 'b1'));
    const [kept] = await first.h.store.db.selectFrom('rejected').select(['gateway', 'reason']).execute();
    expect(kept).toMatchObject({ gateway: A, reason: expect.stringMatching(/at: not a real date and time/) });
    // Restarted on the same session: nothing is redelivered to wedge it, and it takes the next.
    await first.h.stop();
    const again = await start();
    await b.send('alert', alert(B, 'r-b', 'b2', 'raised', T0 + 60_000));
    await eventually('the alert after the restart', () => stored(again.h, B, 'b2'));
    expect(again.h.receiver.counters.rejected).toBe(0);
  });

  it("a payload with a NUL byte is refused and kept; the next home's alert is stored", async () => {
    const { start, a, b } = await rig();
    const { h } = await start();
    const nul = Buffer.from(`{"v":1,"type":"alert","reason":"a\u0000b"}`);
    await a.send('alert', nul);
    await a.send('alert', { ...alert(A, 'r-a', 'esc', 'raised', T0), reason: 'quiet \u0000 since 10:42' });
    await b.send('alert', alert(B, 'r-b', 'b1', 'raised', T0));
    await eventually("the other home's alert", () => stored(h, B, 'b1'));
    await eventually('both refusals kept', async () => h.receiver.counters.rejected >= 2);
    const rows = await h.store.db.selectFrom('rejected').select(['payload', 'reason']).execute();
    expect(rows.every((r) => !r.payload.includes('\u0000'))).toBe(true);
    expect(h.receiver.counters.failed).toBe(0);
  });

  it("a 2 MB reason is refused by its size, and the queue's JSON stays small", async () => {
    const { start, a, b } = await rig();
    const { h } = await start();
    await a.send('alert', { ...alert(A, 'r-a', 'big', 'raised', T0), reason: 'x'.repeat(2_000_000) });
    await a.send('alert', { ...alert(A, 'r-a', 'long', 'raised', T0), reason: 'y'.repeat(5_000) });
    await b.send('alert', alert(B, 'r-b', 'b1', 'raised', T0));
    await eventually("the other home's alert", () => stored(h, B, 'b1'));
    const reasons = (await h.store.db.selectFrom('rejected').select('reason').execute()).map((r) => r.reason);
    expect(reasons.sort()).toEqual([
      expect.stringMatching(/reason: at most 1000 characters/),
      expect.stringMatching(/over the 262144-byte limit/),
    ]);
    const biggest = Math.max(...(await listAlerts(h.store.db)).map((x) => JSON.stringify(x).length));
    expect(biggest).toBeLessThan(4_000);
  });
});

describe('the hub while its database is unavailable', () => {
  it('holds the PUBACK, says so on /healthz after 5 s, and stores the message once the database is back', async () => {
    let now = T0;
    const { h } = await testHub(broker, pki, later, { now: () => now });
    const receive = h.store.receiveBatch.bind(h.store);
    let down = true;
    h.store.receiveBatch = async (r) => {
      if (down)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      return receive(r);
    };
    const health = async () => {
      const r = await fetch(`http://127.0.0.1:${h.webPort}/healthz`);
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const b = await homeClient(broker, pki, B, pki.more[B] ?? pki.gateway, later);
    await b.send('alert', alert(B, 'r-b', 'held', 'raised', T0));
    await eventually('the first failed attempt', async () => h.receiver.counters.dbErrors >= 1);
    expect((await health()).status).toBe(200);
    now += 6_000;
    expect(await health()).toMatchObject({
      status: 503,
      body: { ok: false, held_s: 6, held_because: expect.stringContaining('ECONNREFUSED') },
    });
    down = false;
    await eventually('the held alert stored', () => stored(h, B, 'held'));
    expect((await health()).status).toBe(200);
  });
});
