// The daily test calls at the hub (README: the trust's hub): who acknowledges them, and what each
// home's calls add up to for supervision ("daily test missing") and the console's homes page.
import { type Kysely, sql } from 'kysely';
import { TEST_CALL_RULE } from '../protocol/messages.ts';
import type { HubDb } from './tables.ts';

/** Who a test call acknowledged by the hub itself (test_calls.ack: hub) was acknowledged by. */
export const HUB_ACKER = 'hub';

/** A home's test calls at a glance, by the hub's clock: its first, its last, its last complete one. */
export type TestCallSummary = {
  gateway: string;
  firstAt: number;
  lastAt: number;
  /** When the hub stored the last test call the home confirmed; null: none complete yet. */
  goodAt: number | null;
  /** When the home confirmed it. */
  goodConfirmedAt: number | null;
};

/** A stored alert the hub acknowledges by itself, when the trust leaves test calls to the hub. */
export const acknowledgedByHub = (
  a: { rule: string; state: string } | undefined,
  ack: 'hub' | 'operator',
): boolean => ack === 'hub' && a?.rule === TEST_CALL_RULE && a.state === 'raised';

/** One row per home that has made a test call: an aggregate, however many days are kept. */
export async function testCallSummaries(db: Kysely<HubDb>): Promise<Map<string, TestCallSummary>> {
  const rows = await db
    .selectFrom('test_calls')
    .select((eb) => [
      'gateway',
      eb.fn.min('stored_at').as('first_at'),
      eb.fn.max('stored_at').as('last_at'),
      sql<number | null>`max(case when confirmed_at is not null then stored_at end)`.as('good_at'),
      eb.fn.max('confirmed_at').as('good_confirmed_at'),
    ])
    .groupBy('gateway')
    .execute();
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return new Map(
    rows.map((r) => [
      r.gateway,
      {
        gateway: r.gateway,
        firstAt: Number(r.first_at),
        lastAt: Number(r.last_at),
        goodAt: n(r.good_at),
        goodConfirmedAt: n(r.good_confirmed_at),
      },
    ]),
  );
}
