// Sign-in attempts, counted in the database so that every instance counts the same: after
// `perName` failures for one name, or `perAddress` from one address, within `windowMs`, sign-in
// is refused until the window has moved on.
import type { Kysely } from 'kysely';
import type { ConsoleDb } from './tables.ts';

export type SigninLimits = { windowMs: number; perName: number; perAddress: number };
export const DEFAULT_SIGNIN: SigninLimits = { windowMs: 15 * 60_000, perName: 5, perAddress: 30 };

const keys = (name: string, address: string) => [`name:${name.toLowerCase()}`, `addr:${address}`] as const;

async function failures(db: Kysely<ConsoleDb>, key: string, since: number): Promise<number> {
  const r = await db
    .selectFrom('signin_attempts')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('key', '=', key)
    .where('at', '>', since)
    .where('ok', '=', 0)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Seconds to wait before trying again, or 0 when an attempt may be made now. */
export async function signinBlocked(
  db: Kysely<ConsoleDb>,
  name: string,
  address: string,
  now: number,
  l: SigninLimits,
): Promise<number> {
  const [byName, byAddr] = keys(name, address);
  const since = now - l.windowMs;
  const blocked =
    (await failures(db, byName, since)) >= l.perName || (await failures(db, byAddr, since)) >= l.perAddress;
  return blocked ? Math.ceil(l.windowMs / 1000) : 0;
}

export async function recordSignin(
  db: Kysely<ConsoleDb>,
  name: string,
  address: string,
  ok: boolean,
  now: number,
  l: SigninLimits,
): Promise<void> {
  const [byName, byAddr] = keys(name, address);
  await db.transaction().execute(async (t) => {
    if (ok) await t.deleteFrom('signin_attempts').where('key', '=', byName).execute();
    else
      await t
        .insertInto('signin_attempts')
        .values([
          { key: byName, at: now, ok: 0 },
          { key: byAddr, at: now, ok: 0 },
        ])
        .execute();
    await t
      .deleteFrom('signin_attempts')
      .where('at', '<', now - 4 * l.windowMs)
      .execute();
  });
}
