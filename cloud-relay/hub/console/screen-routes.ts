// The admin's page for monitoring screens (screens.ts): mark the browser in front of them as a
// screen, take the mark back, and see every screen marked. Audited; the session's CSRF token, as
// every form's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit.ts';
import type { Console } from './context.ts';
import { dayAndClock } from './format.ts';
import { html } from './html.ts';
import { csrfField, type PageCtx } from './layout.ts';
import { allScreens, markScreen, screenOf, unmarkScreen } from './screens.ts';

type Screens = Awaited<ReturnType<typeof allScreens>>;

function screenBody(ctx: PageCtx, here: { id: string; name: string } | null, all: Screens, tz: string) {
  const mark = here
    ? html`<p id="screen-state">This browser is the monitoring screen <strong>${here.name}</strong>. Whoever signs in here stays signed in while the page is open and connected; when the connection or the sign-in is lost the page turns red and sounds until it is back.</p>
<form method="post" action="/admin/screen/unmark">${csrfField(ctx)}<button type="submit" class="secondary">Stop being a monitoring screen</button></form>`
    : html`<p id="screen-state">This browser is not a monitoring screen: it signs out after 15 minutes without use.</p>
<form method="post" action="/admin/screen">${csrfField(ctx)}
<label for="screen-name-input">Name of this screen</label>
<input type="text" id="screen-name-input" name="name" maxlength="60" required placeholder="Night desk, left">
<p><button type="submit">Mark this browser as a monitoring screen</button></p></form>`;
  return html`<h1>Monitoring screen</h1>
<div class="screen-mark">${mark}</div>
<h2>Screens marked</h2>
${
  all.length
    ? html`<ul>${all.map((s) => html`<li data-screen-row="${s.id}">${s.name}: marked by ${s.marked_by}, ${dayAndClock(s.marked_at, tz)}</li>`)}</ul>`
    : html`<p>None.</p>`
}`;
}

export function screenRoutes(app: FastifyInstance, c: Console): void {
  const admin = (req: FastifyRequest, reply: FastifyReply) => c.admin(req, reply, { action: 'screen' });

  app.get('/admin/screen', async (req, reply) => {
    const g = await admin(req, reply);
    if (!g) return reply;
    const [here, all] = await Promise.all([screenOf(c.db, req), allScreens(c.db)]);
    return c.render(req, reply, g.ctx, {
      title: 'Monitoring screen',
      body: screenBody(g.ctx, here, all, c.d.timezone),
    });
  });

  app.post('/admin/screen', async (req, reply) => {
    const g = await admin(req, reply);
    if (!g) return reply;
    const name = (req.body as { name?: unknown } | undefined)?.name;
    const s = await markScreen(c.db, reply, {
      name: typeof name === 'string' ? name : '',
      by: g.staff.name,
      now: c.d.now(),
    });
    await audit(
      c.db,
      { staff: g.staff.name, action: 'screen-mark', target: s.id, outcome: 'ok', detail: s.name },
      c.d.now(),
    );
    return reply.redirect('/admin/screen', 303);
  });

  app.post('/admin/screen/unmark', async (req, reply) => {
    const g = await admin(req, reply);
    if (!g) return reply;
    const here = await screenOf(c.db, req);
    if (here) {
      await unmarkScreen(c.db, reply, here.id);
      await audit(
        c.db,
        { staff: g.staff.name, action: 'screen-unmark', target: here.id, outcome: 'ok', detail: here.name },
        c.d.now(),
      );
    }
    return reply.redirect('/admin/screen', 303);
  });
}
