// The escalation ladders, edited by an admin: the list, a resident's form, and its saving (the
// session's CSRF token, checked as every form's; refused with every problem named; audited).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit.ts';
import { ladderOf } from '../push-causes.ts';
import { pushDb, pushTx } from '../push-tables.ts';
import type { Console } from './context.ts';
import { type Account, ladderSentence, parseLadder } from './ladder-form.ts';
import { ladderBody, laddersBody } from './pages/ladder.ts';

export function ladderRoutes(app: FastifyInstance, c: Console): void {
  const db = pushDb(c.d.store.db);
  const admin = (req: FastifyRequest, reply: FastifyReply) => c.admin(req, reply, { action: 'ladder' });

  app.get('/admin/ladders', async (req, reply) => {
    const g = await admin(req, reply);
    if (!g) return reply;
    const residents = await db.selectFrom('residents').select('resident').orderBy('resident').execute();
    const rows = await db
      .transaction()
      .execute(async (t) =>
        Promise.all(
          residents.map(async (r) => ({ resident: r.resident, rungs: await ladderOf(t, r.resident) })),
        ),
      );
    return c.render(req, reply, g.ctx, { title: 'Escalation ladders', body: laddersBody(rows) });
  });

  app.get('/admin/ladders/:resident', async (req, reply) => {
    const g = await admin(req, reply);
    if (!g) return reply;
    const { resident } = req.params as { resident: string };
    const rungs = await db.transaction().execute((t) => ladderOf(t, resident));
    return c.render(req, reply, g.ctx, {
      title: `Ladder of ${resident}`,
      body: ladderBody(g.ctx, resident, rungs),
    });
  });

  app.post('/admin/ladders/:resident', async (req, reply) => {
    const g = await admin(req, reply);
    if (!g) return reply;
    const { resident } = req.params as { resident: string };
    const staff = await db.selectFrom('staff').select(['name', 'role']).where('disabled', '=', 0).execute();
    const links = await db
      .selectFrom('staff_residents')
      .selectAll()
      .where('resident', '=', resident)
      .execute();
    const accounts = new Map<string, Account>(
      staff.map((s) => [
        s.name,
        {
          name: s.name,
          role: s.role,
          residents: new Set(links.filter((l) => l.staff === s.name).map((l) => l.resident)),
        },
      ]),
    );
    const r = parseLadder((req.body ?? {}) as Record<string, unknown>, resident, accounts);
    if (!r.ok) {
      await audit(
        c.db,
        {
          staff: g.staff.name,
          action: 'ladder',
          resident,
          outcome: 'refused',
          detail: r.problems.join('; '),
        },
        c.d.now(),
      );
      const rungs = await db.transaction().execute((t) => ladderOf(t, resident));
      return c.render(req, reply, g.ctx, {
        status: 400,
        title: `Ladder of ${resident}`,
        body: ladderBody(g.ctx, resident, rungs, r.problems),
      });
    }
    await c.d.store.tx(async (tx) => {
      const t = pushTx(tx);
      await t.deleteFrom('ladder_rungs').where('resident', '=', resident).execute();
      if (r.rungs.length)
        await t
          .insertInto('ladder_rungs')
          .values(
            r.rungs.map((x, position) => ({
              resident,
              position,
              kind: x.kind,
              target: x.target,
              wait_min: x.waitMin,
            })),
          )
          .execute();
    });
    await audit(
      c.db,
      { staff: g.staff.name, action: 'ladder', resident, outcome: 'ok', detail: ladderSentence(r.rungs) },
      c.d.now(),
    );
    return reply.redirect(`/admin/ladders/${encodeURIComponent(resident)}`, 303);
  });
}
