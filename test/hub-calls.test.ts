// Call handling at the store, on both backends: a call closed with an outcome (the home told by a
// close command while its alert is open there, and first by an acknowledgement carrying it, when
// it had none), an unknown outcome refused naming the
// valid ones, a second close refused (also when two instances close at once), the hub's own
// alerts acknowledged, claimed and closed at the hub, and the answer-time figures of a seeded set
// whose medians and shares are known.
import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledge } from '../cloud-relay/hub/ack.ts';
import { answerRows } from '../cloud-relay/hub/call-answers.ts';
import { answerFigures } from '../cloud-relay/hub/call-figures.ts';
import { callDb, hubRef } from '../cloud-relay/hub/call-tables.ts';
import { ackHubAlert, type CallDeps, closeCall, closuresOf } from '../cloud-relay/hub/calls.ts';
import { claimsOf, claimWith } from '../cloud-relay/hub/claims.ts';
import { type DbTarget, openDb, sqliteTarget } from '../cloud-relay/hub/db.ts';
import { MIGRATIONS } from '../cloud-relay/hub/migrations.ts';
import { pushDb } from '../cloud-relay/hub/push-tables.ts';
import { HubStore } from '../cloud-relay/hub/store.ts';
import { parseCommand } from '../cloud-relay/uplink/commands.ts';
import { DEFAULT_OUTCOMES } from '../config/calls-schema.ts';
import { hubBackends, received } from './helpers/hub-backends.ts';
import { alert } from './helpers/hub-messages.ts';
import { type Postgres, startPostgres } from './helpers/postgres.ts';
import { tempDir } from './helpers/tmp.ts';

const GW = 'gw-1';
const R = 'r-1';
const T0 = Date.parse('2026-03-02T10:00:00Z');
const S = 1000;
const MIN = 60_000;
const OUTCOMES = DEFAULT_OUTCOMES.map((o) => ({ ...o }));

const BACKENDS = hubBackends();

/** An alert raised by the home, which the hub has at `at`. */
const raise = (store: HubStore, id: string, at: number) =>
  store.receive(received(`hearth/v1/${GW}/alert`, alert(GW, R, id, 'raised', at), at));

/** What closing needs, with a clock the test sets and the commands it would have published. */
function deps(store: HubStore, now: number) {
  const sent: { topic: string; payload: Record<string, unknown> }[] = [];
  const d: CallDeps = {
    store,
    now: () => now,
    publish: async (topic, payload) => {
      sent.push({ topic, payload: JSON.parse(payload) });
    },
    outcomes: OUTCOMES,
  };
  return { d, sent };
}

const answers = (store: HubStore) =>
  callDb(store.db).selectFrom('alert_answers').selectAll().orderBy('at').execute();

describe.each(BACKENDS)('call handling on $name', (backend) => {
  it('closes a call with an outcome and a note; the home, unacknowledged, is told by an ack that carries it, then by the close', async () => {
    const { store } = await backend.open();
    await raise(store, 'a1', T0);
    const { d, sent } = deps(store, T0 + 45 * S);
    const r = await closeCall(d, {
      ref: { gateway: GW, alertId: 'a1' },
      outcome: 'false_alarm',
      note: '  Pressed by mistake; spoke to her.  ',
      by: 'olive',
    });
    expect(r).toEqual({ ok: true, commandId: expect.stringMatching(/^close-/) });
    expect(sent).toEqual([
      {
        topic: `hearth/v1/${GW}/cmd/ack`,
        payload: {
          v: 1,
          id: expect.stringMatching(/^ack-/),
          alert_id: 'a1',
          by: 'olive (closed: False alarm)',
        },
      },
      {
        topic: `hearth/v1/${GW}/cmd/close`,
        payload: { v: 1, id: r.ok && r.commandId, alert_id: 'a1', by: 'olive', outcome: 'False alarm' },
      },
    ]);
    // What the home's own command parser makes of them: a valid ack (the outcome in its `by`, for
    // a home older than the close command) and a valid close.
    const asHome = sent.map((c) => parseCommand(GW, c.topic, Buffer.from(JSON.stringify(c.payload))));
    expect(asHome).toMatchObject([
      { ok: true, command: { name: 'ack', alert_id: 'a1', by: 'olive (closed: False alarm)' } },
      { ok: true, command: { name: 'close', alert_id: 'a1', by: 'olive', outcome: 'False alarm' } },
    ]);
    const commands = await store.db
      .selectFrom('commands')
      .select(['name', 'state', 'alert_id'])
      .orderBy('name')
      .execute();
    expect(commands).toEqual([
      { name: 'ack', state: 'sent', alert_id: 'a1' },
      { name: 'close', state: 'sent', alert_id: 'a1' },
    ]);
    const closed = await closuresOf(store, [{ gateway: GW, alertId: 'a1' }]);
    expect(closed.get(`${GW}/a1`)).toEqual({
      gateway: GW,
      alert_id: 'a1',
      outcome: 'false_alarm',
      note: 'Pressed by mistake; spoke to her.',
      staff: 'olive',
      at: T0 + 45 * S,
    });
    const row = await store.db.selectFrom('alerts').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ ack_by: 'olive (closed: False alarm)', ack_requested_at: T0 + 45 * S });
    // Closing was its first answer, 45 s after the hub had it.
    expect(await answers(store)).toEqual([
      { gateway: GW, alert_id: 'a1', staff: 'olive', how: 'close', at: T0 + 45 * S },
    ]);
  });

  it('tells the home only of the close when it was acknowledged already, and keeps the first answer', async () => {
    const { store } = await backend.open();
    await raise(store, 'a1', T0);
    const { d, sent } = deps(store, T0 + 20 * S);
    const acked = await acknowledge({ ...d, now: () => T0 + 20 * S }, { alertId: 'a1', by: 'olive' });
    expect(acked.ok).toBe(true);
    sent.length = 0;
    const r = await closeCall(
      { ...d, now: () => T0 + 5 * MIN },
      {
        ref: { gateway: GW, alertId: 'a1' },
        outcome: 'responder_sent',
        by: 'carl',
      },
    );
    expect(r).toEqual({ ok: true, commandId: expect.stringMatching(/^close-/) });
    expect(sent).toEqual([
      {
        topic: `hearth/v1/${GW}/cmd/close`,
        payload: { v: 1, id: r.ok && r.commandId, alert_id: 'a1', by: 'carl', outcome: 'Responder sent' },
      },
    ]);
    expect(await answers(store)).toEqual([
      { gateway: GW, alert_id: 'a1', staff: 'olive', how: 'ack', at: T0 + 20 * S },
    ]);
  });

  it('tells the home nothing when its alert is over there already', async () => {
    const { store } = await backend.open();
    await raise(store, 'a1', T0);
    await store.receive(
      received(`hearth/v1/${GW}/alert`, alert(GW, R, 'a1', 'resolved', T0 + MIN), T0 + MIN),
    );
    const { d, sent } = deps(store, T0 + 5 * MIN);
    const r = await closeCall(d, {
      ref: { gateway: GW, alertId: 'a1' },
      outcome: 'false_alarm',
      by: 'olive',
    });
    expect(r).toEqual({ ok: true, commandId: null });
    expect(sent).toEqual([]);
    expect(await store.db.selectFrom('commands').selectAll().execute()).toEqual([]);
  });

  it('refuses an unknown outcome, naming every valid one, and stores nothing', async () => {
    const { store } = await backend.open();
    await raise(store, 'a1', T0);
    const { d, sent } = deps(store, T0 + MIN);
    const r = await closeCall(d, { ref: { gateway: GW, alertId: 'a1' }, outcome: 'sorted', by: 'olive' });
    expect(r).toEqual({
      ok: false,
      status: 400,
      reason:
        'outcome "sorted" is not one of: false_alarm, no_help_needed, responder_sent, ambulance_called, no_answer_escalated, family_contacted, technical_fault',
    });
    expect(sent).toEqual([]);
    expect((await closuresOf(store, [{ gateway: GW, alertId: 'a1' }])).size).toBe(0);
    expect(await answers(store)).toEqual([]);
    expect(
      await closeCall(d, { ref: { gateway: GW, alertId: 'nope' }, outcome: 'false_alarm', by: 'olive' }),
    ).toEqual({ ok: false, status: 404, reason: 'no alert nope' });
  });

  it('closes a call once: a second close is refused naming the first, also from two instances at once', async () => {
    const { store, another } = await backend.open();
    await raise(store, 'a1', T0);
    await raise(store, 'a2', T0);
    const { d, sent } = deps(store, T0 + MIN);
    expect(
      (await closeCall(d, { ref: { gateway: GW, alertId: 'a1' }, outcome: 'false_alarm', by: 'olive' })).ok,
    ).toBe(true);
    expect(
      await closeCall(d, { ref: { gateway: GW, alertId: 'a1' }, outcome: 'ambulance_called', by: 'carl' }),
    ).toEqual({
      ok: false,
      status: 409,
      reason: 'closed already by olive (false_alarm)',
    });
    // The first close's ack and close; the second sent nothing.
    expect(sent.map((c) => c.topic)).toEqual([`hearth/v1/${GW}/cmd/ack`, `hearth/v1/${GW}/cmd/close`]);
    // Two instances, two operators, the same call at the same moment: one wins.
    const other = deps(await another(), T0 + MIN);
    const both = await Promise.all([
      closeCall(d, { ref: { gateway: GW, alertId: 'a2' }, outcome: 'no_help_needed', by: 'olive' }),
      closeCall(other.d, { ref: { gateway: GW, alertId: 'a2' }, outcome: 'responder_sent', by: 'carl' }),
    ]);
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    expect(both.filter((r) => !r.ok)).toEqual([expect.objectContaining({ status: 409 })]);
    expect(sent.length + other.sent.length).toBe(4);
  });

  it("acknowledges, claims and closes the hub's own alerts at the hub, with no home to tell", async () => {
    const { store } = await backend.open();
    const key = `gateway_silent/${GW}/1`;
    await store.raiseHubAlert(
      { key, gateway: GW, kind: 'gateway_silent', severity: 'urgent', reason: 'Gateway gw-1 is silent.' },
      T0,
      'hub-a',
    );
    expect(await ackHubAlert(store, key, 'olive', T0 + 30 * S)).toBe('acked');
    expect(await ackHubAlert(store, key, 'carl', T0 + 40 * S)).toBe('already');
    expect(await ackHubAlert(store, 'no/such/key', 'carl', T0 + 40 * S)).toBe('none');
    const claimed = await claimWith(
      { store, now: () => T0 + MIN, base: () => 'http://console' },
      { ...{ gateway: hubRef(key).gateway, alertId: key }, staff: 'carl', kind: 'handling' },
    );
    expect(claimed).toBe('claimed');
    const claims = await claimsOf(pushDb(store.db), [{ gateway: '#hub', alert_id: key }]);
    expect(claims.get(`#hub/${key}`)).toEqual([{ staff: 'carl', at: T0 + MIN, kind: 'handling' }]);
    const { d, sent } = deps(store, T0 + 2 * MIN);
    expect(
      await closeCall(d, { ref: hubRef(key), outcome: 'technical_fault', note: 'Router reset.', by: 'carl' }),
    ).toEqual({
      ok: true,
      commandId: null,
    });
    expect(await closeCall(d, { ref: hubRef(key), outcome: 'false_alarm', by: 'olive' })).toMatchObject({
      status: 409,
    });
    expect(sent).toEqual([]);
    const h = await store.db.selectFrom('hub_alerts').selectAll().executeTakeFirstOrThrow();
    expect(h).toMatchObject({ ack_by: 'olive', ack_at: T0 + 30 * S, resolved_at: null });
    expect(await answers(store)).toEqual([
      { gateway: '#hub', alert_id: key, staff: 'olive', how: 'ack', at: T0 + 30 * S },
    ]);
    // A home cannot name the hub's alert: its gateway is never '#hub'.
    expect((await closuresOf(store, [{ gateway: GW, alertId: key }])).size).toBe(0);
  });

  it('gives the answer-time figures of a seeded set: per operator, per shift (08:00/20:00 London), medians known', async () => {
    const { store } = await backend.open();
    const { d } = deps(store, T0);
    const ackAt = (id: string, by: string, at: number) =>
      acknowledge({ ...d, now: () => at }, { alertId: id, by });
    // Olive, the day shift: ten alerts answered after 10, 20, ... 60, 70, 100, 200, 300 s.
    const oliveWaits = [10, 20, 30, 40, 50, 60, 70, 100, 200, 300];
    for (const [i, w] of oliveWaits.entries()) {
      const at = T0 + i * 10 * MIN;
      await raise(store, `day-${i}`, at);
      expect((await ackAt(`day-${i}`, 'olive', at + w * S)).ok).toBe(true);
    }
    // And a hub alert at noon she acknowledged in 30 s.
    await store.raiseHubAlert(
      { key: 'silent/x/1', gateway: GW, kind: 'gateway_silent', severity: 'high', reason: 'silent' },
      T0 + 2 * 60 * MIN,
      'hub-a',
    );
    await ackHubAlert(store, 'silent/x/1', 'olive', T0 + 2 * 60 * MIN + 30 * S);
    // Carl, the night shift (after midnight: still the shift that began at 20:00): claims in 5 s and 15 s.
    const night = Date.parse('2026-03-03T03:00:00Z');
    for (const [i, w] of [5, 15].entries()) {
      await raise(store, `night-${i}`, night + i * 10 * MIN);
      const claim = { store, now: () => night + i * 10 * MIN + w * S, base: () => 'http://console' };
      expect(
        await claimWith(claim, { gateway: GW, alertId: `night-${i}`, staff: 'carl', kind: 'handling' }),
      ).toBe('claimed');
      // A second person's claim after is not the answer.
      await claimWith(
        { ...claim, now: () => night + 20 * MIN },
        { gateway: GW, alertId: `night-${i}`, staff: 'olive' },
      );
    }
    // Two that ended at the home before anyone answered: no unanswered calls, in no share. One
    // the resident cancelled ("I'm OK") after 20 s; one the home resolved after 200 s, past both
    // targets, and olive claimed after that.
    await raise(store, 'im-ok', T0 + 100 * MIN);
    await store.receive(
      received(
        `hearth/v1/${GW}/alert`,
        alert(GW, R, 'im-ok', 'cancelled', T0 + 100 * MIN + 20 * S),
        T0 + 100 * MIN + 20 * S,
      ),
    );
    const cleared = T0 + 110 * MIN;
    await raise(store, 'cleared', cleared);
    await store.receive(
      received(
        `hearth/v1/${GW}/alert`,
        alert(GW, R, 'cleared', 'resolved', cleared + 200 * S),
        cleared + 200 * S,
      ),
    );
    await claimWith(
      { store, now: () => cleared + 250 * S, base: () => 'http://console' },
      { gateway: GW, alertId: 'cleared', staff: 'olive', kind: 'handling' },
    );
    // And one nobody has answered, 100 s old: past the first target, not yet the second.
    const now = Date.parse('2026-03-03T04:00:00Z');
    await raise(store, 'waiting', now - 100 * S);

    const rows = await answerRows(store.db, T0 - 60 * MIN, now);
    const f = answerFigures(rows, {
      targets: [60_000, 180_000],
      shifts: ['08:00', '20:00'],
      timezone: 'Europe/London',
      now,
    });
    // All: 14 calls, 13 answered: 5,10,15,20,30,30,40,50,60,70,100,200,300 s; 2 ended at the home.
    expect(f.all).toEqual({
      count: 14,
      endedAtHome: 2,
      answered: 13,
      median: 40 * S,
      p95: 300 * S,
      within: [9 / 14, 11 / 13],
    });
    expect(f.operators).toEqual([
      {
        key: 'carl',
        figures: { count: 2, endedAtHome: 0, answered: 2, median: 10 * S, p95: 15 * S, within: [1, 1] },
      },
      {
        key: 'olive',
        figures: {
          count: 11,
          endedAtHome: 1,
          answered: 11,
          median: 50 * S,
          p95: 300 * S,
          within: [7 / 11, 9 / 11],
        },
      },
    ]);
    expect(f.shifts).toEqual([
      {
        key: '2026-03-02 20:00',
        figures: { count: 3, endedAtHome: 0, answered: 2, median: 10 * S, p95: 15 * S, within: [2 / 3, 1] },
      },
      {
        key: '2026-03-02 08:00',
        figures: {
          count: 11,
          endedAtHome: 2,
          answered: 11,
          median: 50 * S,
          p95: 300 * S,
          within: [7 / 11, 9 / 11],
        },
      },
    ]);
  });
});

describe.each(['embedded SQLite', 'PostgreSQL'])(
  'migration 0014 on $0, over a hub that has claims already',
  (name) => {
    let pg: Postgres | undefined;
    beforeAll(async () => {
      if (name === 'PostgreSQL') pg = await startPostgres();
    });
    afterAll(() => pg?.stop());

    it('keeps each earlier claim as "on my way" and adds the answers, closures and hub acknowledgements', async () => {
      const target: DbTarget = pg
        ? { kind: 'postgres', url: await pg.createDatabase(`calls_mig_${process.pid}`) }
        : sqliteTarget(tempDir('hearth-calls-migration-'));
      const { db } = openDb(target);
      try {
        const provider = { getMigrations: async () => MIGRATIONS };
        const before = await new Migrator({ db, provider }).migrateTo('0012-alert-order');
        expect(before.error).toBeUndefined();
        // Before: a1 claimed at T0 and acknowledged later; a2 acknowledged, then claimed; a3 neither.
        const early = new HubStore(db);
        for (const id of ['a1', 'a2', 'a3']) await raise(early, id, T0 - MIN);
        const acked = (id: string, at: number) =>
          db
            .updateTable('alerts')
            .set({ ack_by: 'ben', ack_requested_at: at })
            .where('alert_id', '=', id)
            .execute();
        await acked('a1', T0 + 30 * S);
        await acked('a2', T0 + 10 * S);
        await pushDb(db)
          .insertInto('alert_claims')
          .values([
            { gateway: GW, alert_id: 'a1', staff: 'olive', at: T0 },
            { gateway: GW, alert_id: 'a2', staff: 'olive', at: T0 + 20 * S },
          ])
          .execute();
        const after = await new Migrator({ db, provider }).migrateToLatest();
        expect(after.error).toBeUndefined();
        expect(after.results?.map((r) => r.migrationName)).toContain('0014-call-handling');
        const claims = await claimsOf(pushDb(db), [{ gateway: GW, alert_id: 'a1' }]);
        expect(claims.get(`${GW}/a1`)).toEqual([{ staff: 'olive', at: T0, kind: 'way' }]);
        expect(await callDb(db).selectFrom('alert_closures').selectAll().execute()).toEqual([]);
        // The answers each had: the earlier of claim and acknowledgement.
        expect(
          await callDb(db).selectFrom('alert_answers').selectAll().orderBy('alert_id').execute(),
        ).toEqual([
          { gateway: GW, alert_id: 'a1', staff: 'olive', how: 'way', at: T0 },
          { gateway: GW, alert_id: 'a2', staff: 'ben', how: 'ack', at: T0 + 10 * S },
        ]);
      } finally {
        await db.destroy();
      }
    });
  },
);
