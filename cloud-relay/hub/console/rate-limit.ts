// Sign-in budgets, kept in the database so that every instance spends the same ones: a token
// bucket per name and per client address (a generic cell rate algorithm: each bucket is one time,
// `tat`, when it is full again). An attempt takes a token from both in one transaction before its
// password is checked, so parallel guesses cannot all pass a count read before any is written.
// An empty bucket slows sign-in, it does not lock it: one attempt per `everyMs` still goes
// through, and the right password is accepted once its turn comes. A correct password gives its
// tokens back, so only failures spend a budget.
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ConsoleDb } from '../console-tables.ts';
import type { HubStore } from '../store.ts';

export type Bucket = { burst: number; everyMs: number };
export type SigninLimits = { name: Bucket; address: Bucket };
export const DEFAULT_SIGNIN: SigninLimits = {
  // Five at once, then one every three minutes: the 20 an hour the old limit allowed, unlocked.
  name: { burst: 5, everyMs: 3 * 60_000 },
  // Thirty at once, then one every thirty seconds, shared by a whole centre behind one address.
  address: { burst: 30, everyMs: 30_000 },
};

export type Kind = keyof SigninLimits;
export type Keys = Record<Kind, string>;
export type Turn = { ok: true } | { ok: false; kind: Kind; waitMs: number };

/** A slowed kind of bucket is written to the audit log at most this often. */
const NOTE_EVERY_MS = 15 * 60_000;

/**
 * IPv6 by its /64, which one site holds whole: else a client would have 2^64 budgets. An
 * IPv4-mapped address is its IPv4 one.
 */
export function clientOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped) return mapped;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail] = (ip.split('%')[0] ?? '').split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? h : [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  const short = (g: string) => g.toLowerCase().replace(/^0+(?=.)/, '');
  return `${groups.slice(0, 4).map(short).join(':')}::/64`;
}

/** A name by its digest (`client` is clientOf's): whatever was typed (a password, 60 KB) is not kept, and keys stay short. */
export const budgetKeys = (name: string, client: string): Keys => ({
  name: `name:${createHash('sha256').update(name.toLowerCase()).digest('base64url')}`,
  address: `addr:${client}`,
});

/** A token from `key`'s bucket, or false when it has none; one statement, so it is atomic. */
async function take(t: Transaction<ConsoleDb>, key: string, now: number, b: Bucket): Promise<boolean> {
  const tat = sql.ref<number>('signin_budget.tat');
  const from = sql<number>`case when ${tat} > ${now} then ${tat} else ${now} end`;
  const taken = await t
    .insertInto('signin_budget')
    .values({ key, tat: now + b.everyMs, noted_at: null })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ tat: sql<number>`${from} + ${b.everyMs}` })
        .where(sql<number>`${from} + ${b.everyMs}`, '<=', now + b.burst * b.everyMs),
    )
    .returning('key')
    .executeTakeFirst();
  return taken !== undefined;
}

class Slowed extends Error {
  constructor(readonly kind: Kind) {
    super(`slowed by its ${kind}`);
  }
}

/** Takes a turn from both buckets, or from neither (the transaction is undone). */
export async function takeTurn(store: HubStore, keys: Keys, now: number, l: SigninLimits): Promise<Turn> {
  try {
    await store.tx(async (hubTx) => {
      const t = hubTx as unknown as Transaction<ConsoleDb>;
      // Always name, then address: two attempts never wait on each other's rows in turn.
      for (const kind of ['name', 'address'] as const)
        if (!(await take(t, keys[kind], now, l[kind]))) throw new Slowed(kind);
    });
    return { ok: true };
  } catch (e) {
    if (!(e instanceof Slowed)) throw e;
    return { ok: false, kind: e.kind, waitMs: await waitFor(store, keys[e.kind], now, l[e.kind]) };
  }
}

async function waitFor(store: HubStore, key: string, now: number, b: Bucket): Promise<number> {
  const row = await (store.db as unknown as Kysely<ConsoleDb>)
    .selectFrom('signin_budget')
    .select('tat')
    .where('key', '=', key)
    .executeTakeFirst();
  const next = Math.max(row?.tat ?? now, now) + b.everyMs - b.burst * b.everyMs;
  return Math.max(1000, next - now);
}

/** A correct password: the tokens its attempt took go back. */
export async function giveBack(db: Kysely<ConsoleDb>, keys: Keys, l: SigninLimits): Promise<void> {
  for (const kind of ['name', 'address'] as const)
    await db
      .updateTable('signin_budget')
      .set((eb) => ({ tat: eb('tat', '-', l[kind].everyMs) }))
      .where('key', '=', keys[kind])
      .execute();
}

/** True for the first slowed attempt of a bucket in NOTE_EVERY_MS: that one is audited. */
export async function firstSlowed(db: Kysely<ConsoleDb>, key: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('signin_budget')
    .set({ noted_at: now })
    .where('key', '=', key)
    .where((eb) => eb.or([eb('noted_at', 'is', null), eb('noted_at', '<=', now - NOTE_EVERY_MS)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Full buckets are no different from none: their rows go. */
export async function sweepBudgets(store: HubStore, now: number): Promise<void> {
  // In a retried transaction: on PostgreSQL the sweep may meet a turn being taken and deadlock.
  await store.tx((t) =>
    (t as unknown as Transaction<ConsoleDb>).deleteFrom('signin_budget').where('tat', '<=', now).execute(),
  );
}
