// The push outbox's queries. Rows are written inside the transaction that stored their cause (an
// alert state, a hub alert), so a push is never lost to an instance dying between the two; they
// are claimed by any instance's sender (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two instances
// never claim one row; SQLite has one writer at a time), each claim lasting a lease: a sender that
// dies with a row in hand leaves it to another once the lease lapses.
import { randomUUID } from 'node:crypto';
import { type Selectable, sql, type Transaction } from 'kysely';
import { chunks } from '../../core/chunks.ts';
import type { PushDraft, Recipient } from './push-plan.ts';
import type { PushDb, PushOutboxTable } from './push-tables.ts';

export type T = Transaction<PushDb>;
export type PushRow = Selectable<PushOutboxTable>;

/** Who may be told, with their ntfy topic and phones: of a role, or by name. */
export async function recipients(t: T, who: { role: string } | { names: string[] }): Promise<Recipient[]> {
  let q = t.selectFrom('staff').select(['staff.name', 'staff.push_url']).where('staff.disabled', '=', 0);
  if ('names' in who) q = q.where('staff.name', 'in', [...who.names, '']);
  else q = q.where('staff.role', '=', who.role);
  return withPhones(t, await q.orderBy('staff.name').execute());
}

/** Each of these residents' carers (staff of the carer role assigned to her, not disabled), by name. */
export async function carersOf(t: T, residents: string[]): Promise<Map<string, Recipient[]>> {
  const out = new Map<string, Recipient[]>();
  if (residents.length === 0) return out;
  const rows = await t
    .selectFrom('staff')
    .innerJoin('staff_residents as sr', 'sr.staff', 'staff.name')
    .select(['sr.resident', 'staff.name', 'staff.push_url'])
    .where('staff.disabled', '=', 0)
    .where('staff.role', '=', 'carer')
    .where('sr.resident', 'in', residents)
    .orderBy('staff.name')
    .execute();
  const people = new Map((await withPhones(t, rows)).map((p) => [p.name, p]));
  for (const r of rows) {
    const person = people.get(r.name) as Recipient;
    const list = out.get(r.resident);
    if (list) list.push(person);
    else out.set(r.resident, [person]);
  }
  return out;
}

/** These people with their ntfy topic and their phones' subscriptions, oldest first: one query. */
async function withPhones(
  t: T,
  people: readonly { name: string; push_url: string | null }[],
): Promise<Recipient[]> {
  if (people.length === 0) return [];
  const subs = await t
    .selectFrom('push_subscriptions')
    .select(['id', 'staff'])
    .where('staff', 'in', [...new Set(people.map((p) => p.name))])
    .orderBy('created')
    .execute();
  return people.map((r) => ({
    name: r.name,
    ntfy: r.push_url,
    subscriptions: subs.filter((s) => s.staff === r.name).map((s) => s.id),
  }));
}

/** Rows a push insert takes at once: nine parameters each, inside either database's limit. */
const DRAFTS_AT_ONCE = 500;

export async function insertDrafts(t: T, drafts: PushDraft[], now: number): Promise<number> {
  for (const part of chunks(drafts, DRAFTS_AT_ONCE))
    await t
      .insertInto('push_outbox')
      .values(
        part.map((d) => ({
          id: randomUUID(),
          recipient: d.recipient,
          channel: d.channel,
          payload: JSON.stringify(d.payload),
          attempts: 0,
          next_at: now,
          state: 'due' as const,
          last_error: null,
          created: now,
        })),
      )
      .execute();
  return drafts.length;
}

/** Claims up to `limit` due rows for `leaseMs`; each comes back with its attempt counted. */
export async function claimDue(
  t: T,
  o: { now: number; leaseMs: number; limit: number; skipLocked: boolean },
): Promise<PushRow[]> {
  let q = t
    .selectFrom('push_outbox')
    .selectAll()
    .where('state', 'in', ['due', 'sending'])
    .where('next_at', '<=', o.now)
    .orderBy('next_at')
    .limit(o.limit);
  if (o.skipLocked) q = q.forUpdate().skipLocked();
  const rows = await q.execute();
  if (rows.length === 0) return [];
  await t
    .updateTable('push_outbox')
    .set({ state: 'sending', attempts: sql<number>`attempts + 1`, next_at: o.now + o.leaseMs })
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((r) => ({ ...r, state: 'sending' as const, attempts: r.attempts + 1 }));
}

/** The row as this claim left it, or nothing if another claim has it since (its lease lapsed). */
const stillMine = (t: T, r: PushRow) =>
  t
    .updateTable('push_outbox')
    .where('id', '=', r.id)
    .where('attempts', '=', r.attempts)
    .where('state', '=', 'sending');

/** Sent: the row goes (the audit log keeps the record); false if it was no longer this claim's. */
export async function markSent(t: T, r: PushRow): Promise<boolean> {
  const d = await t
    .deleteFrom('push_outbox')
    .where('id', '=', r.id)
    .where('attempts', '=', r.attempts)
    .where('state', '=', 'sending')
    .executeTakeFirst();
  return Number(d.numDeletedRows) > 0;
}

export async function markRetry(t: T, r: PushRow, nextAt: number, error: string): Promise<boolean> {
  const u = await stillMine(t, r)
    .set({ state: 'due', next_at: nextAt, last_error: error })
    .executeTakeFirst();
  return Number(u.numUpdatedRows) > 0;
}

export async function markFailed(t: T, r: PushRow, error: string): Promise<boolean> {
  const u = await stillMine(t, r).set({ state: 'failed', last_error: error }).executeTakeFirst();
  return Number(u.numUpdatedRows) > 0;
}
