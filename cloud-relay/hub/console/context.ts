// What the console's routes share: its dependencies, the signed-in guard and the renderer.
// Types and constants only, so that the app and its route files need not import each other.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from '../../../core/log.ts';
import type { ConsoleDb } from '../console-tables.ts';
import type { WebDeps } from '../hub.ts';
import type { Staff } from './access.ts';
import type { Html } from './html.ts';
import type { PageCtx } from './layout.ts';
import type { ScryptCost } from './password.ts';
import type { SigninLimits } from './rate-limit.ts';
import type { Session, SessionLimits } from './sessions.ts';

/** What the hub gives the console (hub.ts: WebDeps); `timezone`, in which every time on the pages is shown. */
export type ConsoleDeps = Omit<WebDeps, 'log'> & {
  log?: Logger;
  session?: SessionLimits;
  signin?: SigninLimits;
  /**
   * The scrypt cost of new hashes and of the hash an unknown name is checked against. Tests set a
   * cheap one for the accounts they make by the dozen; the hub file cannot, the hub never does.
   */
  passwordCost?: ScryptCost;
};

export const COOKIE = 'hearth_session';

/** What every route of the console shares. */
export type Console = {
  d: ConsoleDeps;
  db: Kysely<ConsoleDb>;
  session: SessionLimits;
  signin: SigninLimits;
  cost: ScryptCost;
  /** The signed-in person and their session, or null (the reply is already sent). */
  guard(
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ staff: Staff; session: Session; ctx: PageCtx } | null>;
  render(
    req: FastifyRequest,
    reply: FastifyReply,
    ctx: PageCtx | null,
    o: { title: string; body: Html; fragment?: Html; live?: string[]; status?: number },
  ): FastifyReply;
  refuse(
    req: FastifyRequest,
    reply: FastifyReply,
    ctx: PageCtx,
    what: { action: string; resident?: string; target?: string },
  ): Promise<FastifyReply>;
  /**
   * The signed-in admin, as guard gives; null when the reply is already sent: signed out (guard),
   * or not an admin, refused with `what` audited (refuse).
   */
  admin(
    req: FastifyRequest,
    reply: FastifyReply,
    what: { action: string; resident?: string; target?: string },
  ): ReturnType<Console['guard']>;
};

/**
 * Only a path of this site: a `next` pointing elsewhere would make sign-in an open redirect. `/`
 * not followed by `/`, then printable ASCII without `\` (a browser reads `//x` and `/\x` as
 * another host; it drops tab and newline from a URL, so `/<tab>/x` is `//x`; a header cannot
 * hold a control character at all).
 */
export const safeNext = (next: unknown): string =>
  typeof next === 'string' && /^\/(?!\/)[!-[\]-~]*$/.test(next) ? next : '/';
