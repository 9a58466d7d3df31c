// The care console as a Fastify app, and the hub's JSON API beside it. Pages are rendered on
// the server (template literals through one escaping helper) with one small script for live
// updates: nothing to build, a first paint with no script, and a page a phone loads fast.
// Every instance is alike: sessions, sign-in budgets and the cookie secret live in the database.

import type { AddressInfo } from 'node:net';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { audit } from '../audit.ts';
import { consoleDb } from '../console-tables.ts';
import { pushKeys } from '../push-keys.ts';
import { isAdmin } from './access.ts';
import { loadStaff } from './accounts.ts';
import { apiRoutes } from './api.ts';
import { callRoutes } from './call-routes.ts';
import { SCRIPT, TONE_EVERY_MS } from './client.ts';
import { COOKIE, type Console, type ConsoleDeps } from './context.ts';
import { fhirRoutes } from './fhir-page.ts';
import { html } from './html.ts';
import { ladderRoutes } from './ladder-routes.ts';
import { type PageCtx, page } from './layout.ts';
import { type ConsoleWeb, consoleFastify, type ListenOptions, listenOptions } from './listener.ts';
import { SCRYPT_COST } from './password.ts';
import { pushApi, pushPages } from './push-routes.ts';
import { DEFAULT_SIGNIN } from './rate-limit.ts';
import { recordRoutes } from './record-routes.ts';
import { reportRoutes } from './report-routes.ts';
import { rightsRoutes } from './rights-routes.ts';
import { pageRoutes } from './routes.ts';
import { screenRoutes } from './screen-routes.ts';
import { HeldStreams, screenOf } from './screens.ts';
import { secure, securityHeaders } from './security.ts';
import { cookieSecret, csrfMatches, DEFAULT_LIMITS, findSession } from './sessions.ts';
import { signinRoutes } from './signin-routes.ts';
import { STREAM_CHECK_MS, StreamWatch } from './stream-watch.ts';
import { CSS } from './style.ts';

export type { ConsoleDeps } from './context.ts';
export type { ConsoleWeb, ListenOptions } from './listener.ts';

export async function buildConsole(d: ConsoleDeps, o: ListenOptions = {}): Promise<FastifyInstance> {
  const db = consoleDb(d.store.db);
  const app = consoleFastify(o);
  secure(app);
  await app.register(cookie, { secret: await cookieSecret(db) });
  await app.register(formbody);
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) d.log?.error({ err: err.message, url: req.url }, 'console: request failed');
    return reply.code(status).type('application/json').send({ error: err.message });
  });

  const c: Console = {
    d,
    db,
    session: d.session ?? DEFAULT_LIMITS,
    signin: d.signin ?? DEFAULT_SIGNIN,
    cost: d.passwordCost ?? SCRYPT_COST,
    async guard(req, reply) {
      const raw = req.cookies[COOKIE];
      const token = raw ? req.unsignCookie(raw) : null;
      const session =
        token?.valid && token.value ? await findSession(db, token.value, d.now(), c.session) : null;
      const staff = session ? await loadStaff(db, session.staff) : null;
      if (!session || !staff) {
        const wantsPage =
          req.method === 'GET' &&
          !req.headers['x-fragment'] &&
          !req.url.startsWith('/events') &&
          !req.url.startsWith('/api/');
        if (wantsPage) {
          const next = encodeURIComponent(req.url);
          await reply.redirect(`/signin?next=${next}${raw ? '&idle=1' : ''}`, 303);
        } else await reply.code(401).type('text/plain').send('Signed out: sign in again.');
        return null;
      }
      const ctx: PageCtx = {
        staff,
        csrf: session.csrf,
        path: req.url.split('?')[0] ?? '/',
        idleMs: c.session.idleMs,
        screen: (await screenOf(db, req))?.name,
        toneEveryMs: TONE_EVERY_MS,
      };
      if (
        req.method === 'POST' &&
        // A form carries the token in its body; a script calling the JSON API, in a header.
        !csrfMatches(
          session,
          (typeof req.body === 'object' ? (req.body as Record<string, unknown> | null)?._csrf : undefined) ??
            req.headers['x-csrf-token'],
        )
      ) {
        await audit(
          db,
          {
            staff: staff.name,
            action: 'post',
            target: req.url,
            outcome: 'refused',
            detail: 'CSRF token missing or wrong',
          },
          d.now(),
        );
        await c.render(req, reply, ctx, {
          status: 403,
          title: 'Form expired',
          body: html`<h1>This form has expired</h1><p>Nothing was changed. Go back, reload the page and try again.</p>`,
        });
        return null;
      }
      return { staff, session, ctx };
    },
    render(req, reply, ctx, p) {
      reply.code(p.status ?? 200).type('text/html; charset=utf-8');
      if (req.headers['x-fragment'] && p.fragment) return reply.send(p.fragment.text);
      return reply.send(page(ctx, p).text);
    },
    async refuse(req, reply, ctx, what) {
      await audit(
        db,
        { staff: ctx.staff.name, outcome: 'refused', ...what, detail: `${req.method} ${req.url}` },
        d.now(),
      );
      return c.render(req, reply, ctx, {
        status: 403,
        title: 'Not yours to see',
        body: html`<h1>Not yours to see</h1><p>This page is about a resident who is not assigned to you. The request has been recorded.</p><p><a href="/">Back to your alerts</a></p>`,
      });
    },
    async admin(req, reply, what) {
      const g = await c.guard(req, reply);
      if (!g) return null;
      if (isAdmin(g.staff)) return g;
      await c.refuse(req, reply, g.ctx, what);
      return null;
    },
  };

  app.get('/static/console.css', (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=3600').send(CSS),
  );
  app.get('/static/console.js', (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'max-age=3600').send(SCRIPT),
  );
  const held = new HeldStreams(db, d.now, (e) =>
    d.log?.error({ err: e.message }, 'console: a screen stream not released'),
  );
  const watch = new StreamWatch(db, d.now, c.session, d.streamCheckMs ?? STREAM_CHECK_MS, (e) =>
    d.log?.error({ err: e.message }, 'console: a screen stream not checked'),
  );
  // Before the store closes (the hub stops its web listener first).
  app.addHook('onClose', () => {
    watch.stop();
    return held.stop();
  });
  app.get('/events', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const screen = g.ctx.screen === undefined ? null : await screenOf(db, req);
    if (screen) await held.hold(reply.raw, { session: g.session.id, screen: screen.id });
    // A hijacked reply passes no onSend hook: the stream's headers are set here.
    for (const [name, value] of Object.entries(securityHeaders(req.protocol === 'https')))
      reply.raw.setHeader(name, value);
    reply.hijack();
    d.live.add(reply.raw);
    // A screen's session that ends while the stream is open ends the stream (stream-watch.ts).
    if (screen) watch.watch(reply.raw, g.session.id);
  });
  // Made by the first instance to start, hub or console: the same keys for every instance.
  const keys = await pushKeys(db);
  await app.register(async (api) => {
    apiRoutes(api, d, c);
    pushApi(api, c, keys);
  });
  signinRoutes(app, c);
  pageRoutes(app, c);
  pushPages(app, c, keys);
  ladderRoutes(app, c);
  recordRoutes(app, c);
  fhirRoutes(app, c);
  reportRoutes(app, c);
  screenRoutes(app, c);
  rightsRoutes(app, c);
  callRoutes(app, c);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (path.startsWith('/api/'))
      return reply
        .code(404)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify({ error: `no ${req.method} ${path}` }));
    return reply.code(404).type('text/plain; charset=utf-8').send(`Nothing at ${path}.`);
  });
  return app;
}

/** `hubFile`: the hub file, beside which `web.tls`'s files are read. */
export async function startConsole(
  d: ConsoleDeps,
  web: ConsoleWeb,
  hubFile?: string,
): Promise<{ app: FastifyInstance; port: number; stop(): Promise<void> }> {
  const app = await buildConsole(d, listenOptions(web, hubFile));
  await app.listen({ host: web.host, port: web.port });
  return {
    app,
    port: (app.server.address() as AddressInfo).port,
    async stop() {
      d.live.close();
      await app.close();
    },
  };
}
