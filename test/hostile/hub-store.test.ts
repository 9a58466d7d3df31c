// What one home can do to the hub's store, on both backends: a message that the database would
// refuse must be refused by the protocol first (or, failing that, be a final refusal, never a
// retry); one home's ids cannot shadow another's; a home cannot claim another's resident or
// settle another's command; the queue follows the hub's clock, not the homes'; old records go.
import { describe, expect, it } from 'vitest';
import { openAlerts } from '../../cloud-relay/hub/console/data.ts';
import { orderQueue } from '../../cloud-relay/hub/console/pages/queue.ts';
import { consoleDb } from '../../cloud-relay/hub/console-tables.ts';
import { parseIncoming } from '../../cloud-relay/hub/incoming.ts';
import { listAlerts, summaries } from '../../cloud-relay/hub/queries.ts';
import { storeErrorKind } from '../../cloud-relay/hub/store-errors.ts';
import { supervisionPass } from '../../cloud-relay/hub/supervision-pass.ts';
import type { Config } from '../../config/schema.ts';
import { createLogger } from '../../core/log.ts';
import { summaryFromPayload, summaryPayload } from '../../gateway/summaries/summary.ts';
import { hubBackends, received, SUPERVISION_LIMITS } from '../helpers/hub-backends.ts';
import { alert, heartbeat, summary } from '../helpers/hub-messages.ts';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const topic = (gw: string, leaf: string) => `hearth/v1/${gw}/${leaf}`;
const bytes = (m: object) => Buffer.from(JSON.stringify(m));

const limits = { ...SUPERVISION_LIMITS, queueGrowing: 5 };

describe('what a home sends is bounded by the protocol before any database sees it', () => {
  it('refuses an alert dated 2026-02-31T25:61:61, which passes a date-shaped pattern', () => {
    const m = { ...alert('gw-a', 'r-a', 'a1', 'raised', T0), at: '2026-02-31T25:61:61+00:00' };
    const p = parseIncoming(topic('gw-a', 'alert'), bytes(m));
    expect(p.ok).toBe(false);
    expect(!p.ok && p.reason).toMatch(/at: .*not a real date and time/);
  });

  it('refuses text with a NUL in it, which PostgreSQL cannot store', () => {
    const m = { ...alert('gw-a', 'r-a', 'a1', 'raised', T0), reason: 'No movement\u0000 seen.' };
    const p = parseIncoming(topic('gw-a', 'alert'), bytes(m));
    expect(!p.ok && p.reason).toMatch(/reason: .*control character/);
  });

  it('refuses a 20 KB reason and a payload over 256 KB by their size', () => {
    const long = { ...alert('gw-a', 'r-a', 'a1', 'raised', T0), reason: 'x'.repeat(20_000) };
    expect(parseIncoming(topic('gw-a', 'alert'), bytes(long))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/reason: .*at most 1000/),
    });
    const huge = Buffer.from(
      JSON.stringify({ ...alert('gw-a', 'r-a', 'a1', 'raised', T0), pad: 'y'.repeat(300_000) }),
    );
    expect(parseIncoming(topic('gw-a', 'alert'), huge)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/over the 262144-byte limit/),
    });
  });

  it('classifies a database refusal as final and a lost connection as worth retrying', () => {
    expect(storeErrorKind(Object.assign(new Error('null value in column "at_ms"'), { code: '23502' }))).toBe(
      'refusal',
    );
    expect(storeErrorKind(Object.assign(new Error('invalid byte sequence'), { code: '22021' }))).toBe(
      'refusal',
    );
    expect(
      storeErrorKind(
        Object.assign(new Error('NOT NULL constraint failed'), { code: 'SQLITE_CONSTRAINT_NOTNULL' }),
      ),
    ).toBe('refusal');
    expect(storeErrorKind(new TypeError('x.map is not a function'))).toBe('refusal');
    expect(storeErrorKind(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(
      'transient',
    );
    expect(storeErrorKind(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(storeErrorKind(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(
      'transient',
    );
    expect(storeErrorKind(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }))).toBe(
      'transient',
    );
  });

  it("names the gateway in a summary's id, so two homes' identical days never collide", () => {
    const home = { gateway: { id: 'gw-a', resident: 'r-a' } } as Config;
    const day = summaryFromPayload(summary('gw-a', 'r-a', '2026-03-01', T0));
    expect(summaryPayload(day, home).id).toMatch(/^gw-a:summary:2026-03-01:[0-9a-f]{12}$/);
  });
});

describe.each(hubBackends())('the hub store on $name, against one home misusing another', (backend) => {
  it("drops repeats per home: another home's heartbeat cannot make this home's alert a duplicate", async () => {
    const { store } = await backend.open();
    const hb = { ...heartbeat('gw-b', 'r-b', T0), id: 'gw-a-a1-raised' };
    await store.receive(received(topic('gw-b', 'heartbeat'), hb, T0));
    const a = alert('gw-a', 'r-a', 'a1', 'raised', T0);
    expect(await store.receive(received(topic('gw-a', 'alert'), a, T0 + 1000))).toMatchObject({
      duplicate: false,
    });
    expect((await listAlerts(store.db)).map((x) => [x.gateway, x.alert_id])).toEqual([['gw-a', 'a1']]);
  });

  it("keeps two homes' summaries that carry the same id", async () => {
    const { store } = await backend.open();
    for (const [gw, r] of [
      ['gw-a', 'r-a'],
      ['gw-b', 'r-b'],
    ] as const)
      await store.receive(received(topic(gw, 'summary'), summary(gw, r, '2026-03-01', T0, 'same-id'), T0));
    expect((await summaries(store.db)).map((s) => s.resident)).toEqual(['r-a', 'r-b']);
  });

  it("does not let one home's cmd_result settle a command sent to another", async () => {
    const { store } = await backend.open();
    await store.receive(received(topic('gw-a', 'alert'), alert('gw-a', 'r-a', 'a1', 'raised', T0), T0));
    await store.db
      .insertInto('commands')
      .values({
        id: 'ack-1',
        gateway: 'gw-a',
        name: 'ack',
        payload: '{}',
        alert_id: 'a1',
        by: 'olive',
        sent_at: T0,
        state: 'sent',
        detail: null,
        result_at: null,
      })
      .execute();
    const forged = {
      v: 1,
      id: 'ack-1:result',
      type: 'cmd_result',
      gateway: 'gw-b',
      resident: 'r-b',
      at: '2026-03-02T10:01:00Z',
      command_id: 'ack-1',
      command: 'ack',
      ok: true,
      detail: 'acknowledged',
    };
    await store.receive(received(topic('gw-b', 'cmd-result'), forged, T0 + MIN));
    const cmd = await store.db.selectFrom('commands').selectAll().executeTakeFirstOrThrow();
    expect(cmd.state).toBe('sent');
  });

  it('binds a resident to the first gateway that speaks for her; a second gateway is refused', async () => {
    const { store } = await backend.open();
    await store.expectHomes([{ gateway: 'gw-a', resident: 'r-a', heartbeatMs: MIN }], T0);
    const claim = await store.receive(
      received(topic('gw-x', 'alert'), alert('gw-x', 'r-a', 'x1', 'raised', T0), T0),
    );
    expect(claim).toMatchObject({ refused: expect.stringMatching(/r-a .*gw-a/) });
    await store.receive(received(topic('gw-n', 'heartbeat'), heartbeat('gw-n', 'r-new', T0), T0));
    const second = await store.receive(
      received(topic('gw-m', 'summary'), summary('gw-m', 'r-new', '2026-03-01', T0), T0 + 1000),
    );
    expect(second).toMatchObject({ refused: expect.stringMatching(/r-new .*gw-n/) });
    // A home cannot change whom it speaks for either.
    const switched = await store.receive(
      received(topic('gw-n', 'alert'), alert('gw-n', 'r-other', 'n1', 'raised', T0), T0 + 2000),
    );
    expect(switched).toMatchObject({ refused: expect.stringMatching(/gw-n .*r-new/) });
    expect(await listAlerts(store.db)).toEqual([]);
    expect(await summaries(store.db)).toEqual([]);
  });

  it("orders the queue by the hub's receive time: an alert dated 1970 does not top it, one dated 2999 does not sink", async () => {
    const { store } = await backend.open();
    const at = (gw: string, r: string, iso: string, recv: number) =>
      store.receive(received(topic(gw, 'alert'), { ...alert(gw, r, 'a1', 'raised', T0), at: iso }, recv));
    await at('gw-a', 'r-a', '2026-03-02T10:00:00Z', T0);
    await at('gw-old', 'r-old', '1970-01-01T00:05:00Z', T0 + MIN);
    await at('gw-future', 'r-future', '2999-01-01T00:00:00Z', T0 + 2 * MIN);
    await at('gw-b', 'r-b', '2026-03-02T10:03:00Z', T0 + 3 * MIN);
    const staff = { name: 'olive', role: 'operator', residents: [] } as never;
    const queue = orderQueue(await openAlerts(consoleDb(store.db), staff), []);
    expect(queue.map((q) => (q.kind === 'home' ? q.a.gateway : ''))).toEqual([
      'gw-a',
      'gw-old',
      'gw-future',
      'gw-b',
    ]);
  });

  it('lets a later summary replace one a home dated in the future', async () => {
    const { store } = await backend.open();
    const day = (id: string, iso: string, recv: number) =>
      store.receive(
        received(
          topic('gw-a', 'summary'),
          { ...summary('gw-a', 'r-a', '2026-03-01', T0, id), at: iso },
          recv,
        ),
      );
    await day('wrong-clock', '2999-01-01T00:00:00Z', T0);
    await day('asked-again', '2026-03-02T11:00:00Z', T0 + HOUR);
    expect((await summaries(store.db, 'r-a')).map((s) => s.message_id)).toEqual(['asked-again']);
  });

  it('keeps no heartbeat as history, yet a repeated alert is still dropped', async () => {
    const { store } = await backend.open();
    for (let i = 0; i < 5; i++)
      await store.receive(
        received(topic('gw-a', 'heartbeat'), heartbeat('gw-a', 'r-a', T0 + i * MIN), T0 + i * MIN),
      );
    const n = await store.db
      .selectFrom('message_ids')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
    const a = received(topic('gw-a', 'alert'), alert('gw-a', 'r-a', 'a1', 'raised', T0), T0);
    expect(await store.receive(a)).toMatchObject({ duplicate: false });
    expect(await store.receive(a)).toEqual({ duplicate: true });
  });

  it('raises no clock alert for a backlog of old messages, and does for a home whose heartbeats are hours behind', async () => {
    const { store } = await backend.open();
    const log = createLogger({ level: 'silent' });
    const pass = (now: number) =>
      supervisionPass({ store, log, now: () => now, instance: 'a', limits, commandTimeoutMs: MIN });
    const hb = (gw: string, at: number, recv: number) =>
      store.receive(
        received(topic(gw, 'heartbeat'), heartbeat(gw, `r-${gw}`, at), recv, { heartbeatMs: MIN }),
      );
    // gw-backlog was cut off for 5 hours: its queued summary, alert and heartbeats arrive at once.
    const back = T0 + 5 * HOUR;
    await hb('gw-backlog', T0, T0);
    await store.receive(
      received(topic('gw-backlog', 'summary'), summary('gw-backlog', 'r-gw-backlog', '2026-03-01', T0), back),
    );
    for (let i = 1; i <= 300; i += 60) await hb('gw-backlog', T0 + i * MIN, back + i);
    await pass(back + 1000);
    await hb('gw-backlog', back + MIN, back + MIN);
    await pass(back + MIN + 1000);
    // gw-slow's clock is 5 hours behind: every heartbeat says so.
    for (let i = 0; i < 3; i++) {
      await hb('gw-slow', T0 + i * MIN - 5 * HOUR, T0 + i * MIN);
      await pass(T0 + i * MIN + 1000);
    }
    const kinds = await store.db.selectFrom('hub_alerts').select(['gateway', 'kind']).execute();
    expect(kinds.filter((k) => k.kind === 'clock_skew')).toEqual([
      { gateway: 'gw-slow', kind: 'clock_skew' },
    ]);
  });

  it('keeps an alert about one event (a forged signature) open for a day, then resolves it', async () => {
    const { store } = await backend.open();
    const log = createLogger({ level: 'silent' });
    const pass = (now: number) =>
      supervisionPass({ store, log, now: () => now, instance: 'a', limits, commandTimeoutMs: MIN });
    await store.raiseHubAlert(
      {
        key: 'signature_refused/gw-a/2026-03-02',
        gateway: 'gw-a',
        kind: 'signature_refused',
        severity: 'high',
        reason: 'r',
      },
      T0,
      'a',
    );
    expect((await pass(T0 + 23 * HOUR)).resolved).toBe(0);
    expect((await pass(T0 + 25 * HOUR)).resolved).toBe(1);
  });

  it('deletes old message ids, refusals, sessions and audit rows in small batches, and keeps recent ones', async () => {
    const { store } = await backend.open();
    const day = 24 * HOUR;
    for (let i = 0; i < 1200; i++)
      await store.db
        .insertInto('message_ids')
        .values({ gateway: 'gw-a', id: `m${i}`, received_at: T0 - 40 * day + i })
        .execute();
    await store.db
      .insertInto('message_ids')
      .values({ gateway: 'gw-a', id: 'recent', received_at: T0 - day })
      .execute();
    await store.reject({
      key: 'k-old',
      topic: 't',
      gateway: 'gw-a',
      payload: 'x',
      reason: 'r',
      receivedAt: T0 - 40 * day,
      instance: 'a',
    });
    const c = consoleDb(store.db);
    await c
      .insertInto('audit')
      .values(
        [
          ['old', T0 - 500 * day],
          ['new', T0 - day],
        ].map(([id, at]) => ({
          id: id as string,
          at: at as number,
          staff: 's',
          action: 'sign-in',
          outcome: 'ok',
          resident: null,
          target: null,
          detail: null,
        })),
      )
      .execute();
    await c
      .insertInto('sessions')
      .values({ id: 'gone', staff: 's', csrf: 'c', created_at: T0 - 10 * day, seen_at: T0 - 10 * day })
      .execute();
    const periods = { messages: 30 * day, rejected: 30 * day, audit: 400 * day, sessions: day };
    const deleted = await store.enforceRetention(T0, periods, { batch: 500 });
    // The periods not given (summaries, alerts...) keep their records: nothing else is deleted.
    expect(deleted).toEqual({
      message_ids: 1200,
      rejected: 1,
      audit: 1,
      sessions: 1,
      summaries: 0,
      nights: 0,
      alerts: 0,
      test_calls: 0,
      commands: 0,
      fhir_sent: 0,
      pushes: 0,
      push_tokens: 0,
      batches: expect.any(Number),
    });
    expect(deleted.batches).toBeGreaterThanOrEqual(3);
    const left = await store.db.selectFrom('message_ids').select('id').execute();
    expect(left).toEqual([{ id: 'recent' }]);
    expect((await c.selectFrom('audit').select('id').execute()).map((r) => r.id)).toEqual(['new']);
  });
});
