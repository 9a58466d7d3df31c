// What an alert state or a hub alert pushes, queued in the transaction that stored it. A
// resident with an escalation ladder is told rung by rung (ladder.ts decides, this records each
// rung reached once: its row's key is the alert and the rung); without one, every carer assigned
// to her is told at once. The hub's own alerts go to the monitoring team.

import type { Kysely } from 'kysely';
import { ladderStep, type Rung } from './ladder.ts';
import { carersOf, insertDrafts, recipients, type T } from './push-outbox.ts';
import type { AlertFacts, HubAlertFacts } from './push-plan.ts';
import { claimNoticesFor, hubPushesFor, pushesAlert, pushesFor, type Recipient } from './push-plan.ts';
import type { PushDb } from './push-tables.ts';
import { MOVED_FACTS } from './store-apply.ts';

export type LadderAlertRow = AlertFacts & { ack_by: string | null };

/** The resident's own rungs, in order (the centre, after them, is not stored). */
export async function ladderOf(t: T, resident: string): Promise<Rung[]> {
  return (await laddersOf(t, [resident])).get(resident) ?? [];
}

/** Who a rung is: a member of staff's channels, an ntfy address, or (past the last) the centre. */
async function rungPeople(t: T, rungs: Rung[], rung: number): Promise<Recipient[]> {
  const r = rungs[rung];
  if (!r) return recipients(t, { role: 'operator' });
  if (r.kind === 'staff') return recipients(t, { names: [r.target] });
  return [{ name: `ntfy ${new URL(r.target).host}`, ntfy: r.target, subscriptions: [] }];
}

/** Pushes the rungs due now; the rungs this call pushed (another instance may have pushed others). */
export async function climb(
  t: T,
  a: LadderAlertRow,
  rungs: Rung[],
  now: number,
  base: string,
): Promise<number[]> {
  const pushed = await t
    .selectFrom('alert_escalations')
    .select(['rung', 'at'])
    .where('gateway', '=', a.gateway)
    .where('alert_id', '=', a.alert_id)
    .execute();
  const claims = await t
    .selectFrom('alert_claims')
    .select('staff')
    .where('gateway', '=', a.gateway)
    .where('alert_id', '=', a.alert_id)
    .execute();
  const step = ladderStep(
    { state: a.state, severity: a.severity, ackBy: a.ack_by },
    rungs,
    { pushed, claims: claims.length },
    now,
  );
  const first = pushed.find((p) => p.rung === 0)?.at ?? now;
  const mine: number[] = [];
  for (const rung of step.push) {
    const ins = await t
      .insertInto('alert_escalations')
      .values({ gateway: a.gateway, alert_id: a.alert_id, rung, at: now })
      .onConflict((oc) => oc.columns(['gateway', 'alert_id', 'rung']).doNothing())
      .executeTakeFirst();
    if (Number(ins.numInsertedOrUpdatedRows ?? 0n) === 0) continue;
    const note =
      rung === 0 ? undefined : `Nobody has answered for ${Math.round((now - first) / 60_000)} min.`;
    await insertDrafts(t, pushesFor(a, await rungPeople(t, rungs, rung), base, note), now);
    mine.push(rung);
  }
  return mine;
}

/** An alert's columns a push needs: the same the store hands back of each alert a batch moved. */
export const ALERT_FACTS = MOVED_FACTS;

/** The alert's facts a push needs, read in the transaction. */
export function alertFacts(t: T, gateway: string, alertId: string): Promise<LadderAlertRow | undefined> {
  return t
    .selectFrom('alerts')
    .select(ALERT_FACTS)
    .where('gateway', '=', gateway)
    .where('alert_id', '=', alertId)
    .executeTakeFirst();
}

/**
 * In the transaction that moved them, the pushes of a batch's alerts (as they now stand): a
 * ladder's first rung, or every carer. Their residents' ladders and carers each in one query,
 * their pushes in one insert; only a resident with a ladder climbs alone. How many rungs or people.
 */
export async function enqueueAlertsPushes(
  t: T,
  moved: readonly LadderAlertRow[],
  now: number,
  base: string,
): Promise<number> {
  const facts = moved.filter(pushesAlert);
  if (facts.length === 0) return 0;
  const ladders = await laddersOf(t, [...new Set(facts.map((a) => a.resident))]);
  let pushed = 0;
  const plain: LadderAlertRow[] = [];
  for (const a of facts) {
    const rungs = ladders.get(a.resident);
    if (rungs) pushed += (await climb(t, a, rungs, now, base)).length;
    else plain.push(a);
  }
  if (plain.length === 0) return pushed;
  const carers = await carersOf(t, [...new Set(plain.map((a) => a.resident))]);
  return (
    pushed +
    (await insertDrafts(
      t,
      plain.flatMap((a) => pushesFor(a, carers.get(a.resident) ?? [], base)),
      now,
    ))
  );
}

/** The rungs of each of these residents who has a ladder, in order. */
async function laddersOf(t: T, residents: string[]): Promise<Map<string, Rung[]>> {
  const rows = await t
    .selectFrom('ladder_rungs')
    .select(['resident', 'kind', 'target', 'wait_min'])
    .where('resident', 'in', residents)
    .orderBy('resident')
    .orderBy('position')
    .execute();
  const out = new Map<string, Rung[]>();
  for (const r of rows) {
    const rung = { kind: r.kind, target: r.target, waitMin: r.wait_min };
    const list = out.get(r.resident);
    if (list) list.push(rung);
    else out.set(r.resident, [rung]);
  }
  return out;
}

/** In the transaction that raised the hub alert: its pushes to the monitoring team; how many. */
export async function enqueueHubPushes(t: T, h: HubAlertFacts, now: number, base: string): Promise<number> {
  return insertDrafts(t, hubPushesFor(h, await recipients(t, { role: 'operator' }), base), now);
}

/** Open urgent alerts of residents who have a ladder: what the ladder pass looks at. */
export function ladderAlerts(db: Kysely<PushDb>) {
  return db
    .selectFrom('alerts')
    .select(ALERT_FACTS)
    .where('state', 'in', ['raised', 'escalated'])
    .where('severity', '=', 'urgent')
    .where('ack_by', 'is', null)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('ladder_rungs as l').select('l.resident').whereRef('l.resident', '=', 'alerts.resident'),
      ),
    )
    .execute();
}

/** Everyone the alert was pushed to (the rungs reached, or every carer) hears who is on the way. */
export async function enqueueClaimNotices(
  t: T,
  c: { gateway: string; alertId: string; staff: string; kind?: 'way' | 'handling' },
  now: number,
  base: string,
): Promise<number> {
  const a = await alertFacts(t, c.gateway, c.alertId);
  if (a?.severity !== 'urgent') return 0;
  const rungs = await ladderOf(t, a.resident);
  let to: Recipient[];
  if (rungs.length) {
    const reached = await t
      .selectFrom('alert_escalations')
      .select('rung')
      .where('gateway', '=', a.gateway)
      .where('alert_id', '=', a.alert_id)
      .orderBy('rung')
      .execute();
    to = [];
    for (const r of reached)
      for (const p of await rungPeople(t, rungs, r.rung)) if (!to.some((x) => x.name === p.name)) to.push(p);
  } else to = (await carersOf(t, [a.resident])).get(a.resident) ?? [];
  return insertDrafts(t, claimNoticesFor(a, c.staff, to, base, c.kind), now);
}
