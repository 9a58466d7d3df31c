// Sign-in and sign-out. Each attempt takes its turn from the name's and the address's budgets
// before the password is looked at (rate-limit.ts); past them it is slowed, and the page says how
// long to wait. The password is read, checked and dropped: never logged, never echoed, never
// audited; a name that is no account is audited by its length only, since it may be a password
// typed into the wrong box.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit.ts';
import { mayBeName, passwordOf, rehashPassword } from './accounts.ts';
import { COOKIE, type Console, safeNext } from './context.ts';
import { signinBody } from './pages/signin.ts';
import { dummyHash, verifyPassword, weakerThan } from './password.ts';
import {
  budgetKeys,
  clientOf,
  firstSlowed,
  giveBack,
  type Keys,
  sweepBudgets,
  type Turn,
  takeTurn,
} from './rate-limit.ts';
import { closeSession, openSession } from './sessions.ts';

/** Full buckets are swept at most this often by each instance. */
const SWEEP_EVERY_MS = 60_000;

type Attempt = { name: string; password: string; next: string; now: number; client: string; keys: Keys };

const auditedName = (name: string, known: boolean) =>
  known ? name : name === '' ? '(none)' : `(unknown name, ${[...name].length} characters)`;

const inWords = (s: number) =>
  s <= 60 ? `${s} seconds` : `${Math.ceil(s / 60)} minute${Math.ceil(s / 60) === 1 ? '' : 's'}`;

function readAttempt(req: FastifyRequest, now: number): Attempt {
  const b = (req.body ?? {}) as Record<string, unknown>;
  const name = typeof b.name === 'string' ? b.name.trim() : '';
  const password = typeof b.password === 'string' ? b.password : '';
  const client = clientOf(req.ip);
  return { name, password, next: safeNext(b.next), now, client, keys: budgetKeys(name, client) };
}

export function signinRoutes(app: FastifyInstance, c: Console): void {
  const { db, d } = c;
  let sweptAt = 0;
  const form = (a: Attempt, error: string) =>
    // The name back in the form, as far as a name can go.
    signinBody({ next: a.next, name: a.name.slice(0, 64), error });

  async function slowed(req: FastifyRequest, reply: FastifyReply, a: Attempt, turn: Turn & { ok: false }) {
    if (await firstSlowed(db, a.keys[turn.kind], a.now)) {
      const known = mayBeName(a.name) && (await passwordOf(db, a.name)) !== undefined;
      const detail = `slowed: too many failed attempts for this ${turn.kind} (from ${a.client})`;
      await audit(
        db,
        { staff: auditedName(a.name, known), action: 'sign-in', outcome: 'refused', detail },
        a.now,
      );
    }
    const seconds = Math.ceil(turn.waitMs / 1000);
    reply.header('retry-after', String(seconds));
    return c.render(req, reply, null, {
      status: 429,
      title: 'Sign in',
      body: form(a, `Too many failed attempts. Try again in ${inWords(seconds)}.`),
    });
  }

  /** The stored hash when the password is right, else null; the same scrypt work either way. */
  async function check(a: Attempt): Promise<string | null> {
    const row = mayBeName(a.name) ? await passwordOf(db, a.name) : undefined;
    const usable = row && row.disabled === 0 ? row.password : undefined;
    // An unknown name costs a hash of the same cost: the answer's timing does not tell who exists.
    const ok = (await verifyPassword(a.password, usable ?? dummyHash(c.cost))) && usable !== undefined;
    const outcome = ok ? 'ok' : 'refused';
    await audit(db, { staff: auditedName(a.name, row !== undefined), action: 'sign-in', outcome }, a.now);
    if (a.now - sweptAt > SWEEP_EVERY_MS) {
      sweptAt = a.now;
      await sweepBudgets(d.store, a.now);
    }
    return ok && usable ? usable : null;
  }

  app.get('/signin', (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    return c.render(req, reply, null, {
      title: 'Sign in',
      body: signinBody({ next: safeNext(q.next), idle: q.idle === '1' }),
    });
  });

  app.post('/signin', async (req, reply) => {
    const a = readAttempt(req, d.now());
    const turn = await takeTurn(d.store, a.keys, a.now, c.signin);
    if (!turn.ok) return slowed(req, reply, a, turn);
    const stored = await check(a);
    if (stored === null)
      return c.render(req, reply, null, {
        status: 401,
        title: 'Sign in',
        body: form(a, 'That name and password do not match an account. Try again.'),
      });
    await giveBack(db, a.keys, c.signin);
    if (weakerThan(stored, c.cost)) await rehashPassword(db, a.name, stored, a.password, c.cost);
    const s = await openSession(db, a.name, a.now);
    // Secure whenever the request came over https: to this listener, or to a trusted proxy.
    reply.setCookie(COOKIE, s.token, {
      signed: true,
      httpOnly: true,
      sameSite: 'strict',
      secure: 'auto',
      path: '/',
    });
    return reply.redirect(a.next, 303);
  });

  app.post('/signout', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    await closeSession(db, g.session.id);
    await audit(db, { staff: g.staff.name, action: 'sign-out', outcome: 'ok' }, d.now());
    reply.clearCookie(COOKIE, { path: '/' });
    return reply.redirect('/signin', 303);
  });
}
