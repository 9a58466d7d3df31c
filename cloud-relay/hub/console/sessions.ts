// Sessions in the database, so that any hub instance serves any request: the cookie holds a
// random token, the table its sha256, the staff name, the CSRF token and when it was last used.
// A session unused for `idleMs` is gone (automatic sign-out), unless a monitoring screen holds its
// live stream open; none lives longer than `maxMs`.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ConsoleDb } from '../console-tables.ts';
import { streamHeld } from './screens.ts';

export type SessionLimits = { idleMs: number; maxMs: number };
export const DEFAULT_LIMITS: SessionLimits = { idleMs: 15 * 60_000, maxMs: 12 * 3_600_000 };

export type Session = { id: string; staff: string; csrf: string };

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');
/** Writes of `seen_at` at most this often: a page and its live feed need not write each time. */
const TOUCH_EVERY_MS = 30_000;

export async function openSession(
  db: Kysely<ConsoleDb>,
  staff: string,
  now: number,
): Promise<{ token: string; csrf: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  await db
    .insertInto('sessions')
    .values({ id: digest(token), staff, csrf, created_at: now, seen_at: now })
    .execute();
  return { token, csrf };
}

/** The live session for a cookie's token, marked as used now; null when unknown or expired. */
export async function findSession(
  db: Kysely<ConsoleDb>,
  token: string,
  now: number,
  limits: SessionLimits,
): Promise<Session | null> {
  const id = digest(token);
  const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  if (await ended(db, row, now, limits)) return null;
  if (now - row.seen_at > TOUCH_EVERY_MS)
    await db.updateTable('sessions').set({ seen_at: now }).where('id', '=', id).execute();
  return { id, staff: row.staff, csrf: row.csrf };
}

/** Past its limits (and then deleted): too old, or idle with no screen's stream holding it. */
async function ended(
  db: Kysely<ConsoleDb>,
  row: { id: string; created_at: number; seen_at: number },
  now: number,
  limits: SessionLimits,
): Promise<boolean> {
  const idle = now - row.seen_at > limits.idleMs;
  // A monitoring screen's open stream is use the server sees for itself (screens.ts).
  if (now - row.created_at > limits.maxMs || (idle && !(await streamHeld(db, row.id)))) {
    await db.deleteFrom('sessions').where('id', '=', row.id).execute();
    return true;
  }
  return false;
}

/** Whether the session with this id is still live now (not signed out, deleted or past its limits). */
export async function sessionLive(
  db: Kysely<ConsoleDb>,
  id: string,
  now: number,
  limits: SessionLimits,
): Promise<boolean> {
  const row = await db
    .selectFrom('sessions')
    .select(['id', 'created_at', 'seen_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row !== undefined && !(await ended(db, row, now, limits));
}

export async function closeSession(db: Kysely<ConsoleDb>, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
  await db.deleteFrom('screen_streams').where('session', '=', id).execute();
}

export function csrfMatches(session: Session, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The cookie-signing secret every instance shares, written by the console's migration. */
export async function cookieSecret(db: Kysely<ConsoleDb>): Promise<string> {
  const row = await db
    .selectFrom('console_secrets')
    .select('value')
    .where('name', '=', 'cookie')
    .executeTakeFirst();
  if (!row) throw new Error('console_secrets has no cookie secret: the database is not migrated');
  return row.value;
}
