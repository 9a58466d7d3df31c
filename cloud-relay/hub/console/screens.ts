// Monitoring screens (README: Monitoring screens). A screen is a device, not an account: an admin
// marks the browser in front of them, the hub keeps a row and the browser a signed cookie naming
// it, so the mark outlives a restart of the browser and a change of who is signed in, and the
// admin can take it back (the row goes, the cookie then names nothing). While such a device holds
// its live stream open, the server itself sees the session in use: nothing the page could fake.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { ConsoleDb } from '../console-tables.ts';

export const SCREEN_COOKIE = 'hearth_screen';
/** As long as a browser keeps a cookie (Chromium caps them at 400 days). */
const SCREEN_COOKIE_S = 400 * 86_400;
const NAME_MAX = 60;

export type Screen = { id: string; name: string };

/** The screen this browser was marked as, if its cookie is good and the mark still stands. */
export async function screenOf(db: Kysely<ConsoleDb>, req: FastifyRequest): Promise<Screen | null> {
  const raw = req.cookies[SCREEN_COOKIE];
  if (!raw) return null;
  const v = req.unsignCookie(raw);
  if (!v.valid || !v.value) return null;
  const row = await db
    .selectFrom('screens')
    .select(['id', 'name'])
    .where('id', '=', v.value)
    .executeTakeFirst();
  return row ?? null;
}

/** Marks the browser of this request as a screen named `name`. */
export async function markScreen(
  db: Kysely<ConsoleDb>,
  reply: FastifyReply,
  o: { name: string; by: string; now: number },
): Promise<Screen> {
  const s = { id: randomUUID(), name: o.name.trim().slice(0, NAME_MAX) || 'Monitoring screen' };
  await db
    .insertInto('screens')
    .values({ ...s, marked_by: o.by, marked_at: o.now })
    .execute();
  reply.setCookie(SCREEN_COOKIE, s.id, {
    signed: true,
    httpOnly: true,
    sameSite: 'strict',
    secure: 'auto',
    path: '/',
    maxAge: SCREEN_COOKIE_S,
  });
  return s;
}

export async function unmarkScreen(db: Kysely<ConsoleDb>, reply: FastifyReply, id: string): Promise<void> {
  await db.deleteFrom('screen_streams').where('screen', '=', id).execute();
  await db.deleteFrom('screens').where('id', '=', id).execute();
  reply.clearCookie(SCREEN_COOKIE, { path: '/' });
}

export async function allScreens(db: Kysely<ConsoleDb>) {
  return db.selectFrom('screens').selectAll().orderBy('marked_at').execute();
}

/**
 * The screens' live streams this instance holds: each a row while its connection is open, so that
 * any instance sees the session in use; when the connection closes the row goes and the session
 * counts as seen then (its idle time starts from the loss of the stream). Stopping, the instance
 * deletes the rows it still holds; one that died leaves them, but no row lifts the session's own
 * upper limit (sessions.ts: maxMs).
 */
export class HeldStreams {
  readonly #open = new Set<string>();
  #stopped = false;
  constructor(
    private readonly db: Kysely<ConsoleDb>,
    private readonly now: () => number,
    private readonly onError: (e: Error) => void,
  ) {}

  async hold(res: ServerResponse, o: { session: string; screen: string }): Promise<void> {
    const id = randomUUID();
    await this.db
      .insertInto('screen_streams')
      .values({ id, session: o.session, screen: o.screen, opened_at: this.now() })
      .execute();
    this.#open.add(id);
    res.on('close', () => {
      if (this.#stopped || !this.#open.delete(id)) return;
      this.db
        .deleteFrom('screen_streams')
        .where('id', '=', id)
        .execute()
        .then(() =>
          this.db.updateTable('sessions').set({ seen_at: this.now() }).where('id', '=', o.session).execute(),
        )
        .catch(this.onError);
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const ids = [...this.#open];
    this.#open.clear();
    if (ids.length) await this.db.deleteFrom('screen_streams').where('id', 'in', ids).execute();
  }
}

/** Whether a screen holds a live stream open for this session now. */
export async function streamHeld(db: Kysely<ConsoleDb>, session: string): Promise<boolean> {
  const row = await db
    .selectFrom('screen_streams')
    .select('id')
    .where('session', '=', session)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
