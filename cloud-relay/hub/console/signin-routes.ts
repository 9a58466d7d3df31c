// Sign-in and sign-out. A failed attempt is counted in the database (per name and per address);
// past the limit the form is refused for the rest of the window. The password is read, checked
// and dropped: never logged, never echoed, never audited.
import type { FastifyInstance } from 'fastify';
import { passwordOf } from './accounts.ts';
import { audit } from './audit.ts';
import { COOKIE, type Console, safeNext } from './context.ts';
import { signinBody } from './pages/signin.ts';
import { DUMMY_HASH, verifyPassword } from './password.ts';
import { recordSignin, signinBlocked } from './rate-limit.ts';
import { closeSession, openSession } from './sessions.ts';

export function signinRoutes(app: FastifyInstance, c: Console): void {
  const { db, d } = c;

  app.get('/signin', (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    return c.render(req, reply, null, {
      title: 'Sign in',
      body: signinBody({ next: safeNext(q.next), idle: q.idle === '1' }),
    });
  });

  app.post('/signin', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const name = typeof b.name === 'string' ? b.name.trim() : '';
    const password = typeof b.password === 'string' ? b.password : '';
    const next = safeNext(b.next);
    const now = d.now();
    const wait = await signinBlocked(db, name, req.ip, now, c.signin);
    if (wait > 0) {
      await audit(
        db,
        {
          staff: name || '(none)',
          action: 'sign-in',
          outcome: 'refused',
          detail: 'too many failed attempts',
        },
        now,
      );
      reply.header('retry-after', String(wait));
      return c.render(req, reply, null, {
        status: 429,
        title: 'Sign in',
        body: signinBody({
          next,
          name,
          error: `Too many failed attempts. Wait ${Math.ceil(wait / 60)} minutes, or ask an administrator.`,
        }),
      });
    }
    const row = name ? await passwordOf(db, name) : undefined;
    // The same scrypt work for an unknown name: the answer's timing does not tell who exists.
    const ok = (await verifyPassword(password, row?.password ?? DUMMY_HASH)) && row !== undefined;
    await recordSignin(db, name, req.ip, ok, now, c.signin);
    await audit(db, { staff: name || '(none)', action: 'sign-in', outcome: ok ? 'ok' : 'refused' }, now);
    if (!ok)
      return c.render(req, reply, null, {
        status: 401,
        title: 'Sign in',
        body: signinBody({ next, name, error: 'That name and password do not match an account. Try again.' }),
      });
    const s = await openSession(db, name, now);
    reply.setCookie(COOKIE, s.token, {
      signed: true,
      httpOnly: true,
      sameSite: 'strict',
      secure: 'auto',
      path: '/',
    });
    return reply.redirect(next, 303);
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
