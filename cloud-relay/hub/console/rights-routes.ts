// A resident's data rights from the console, for admins only (anyone else is refused and the
// refusal audited): her records as a download, and her erasure behind a confirm page that asks
// for her id typed again. POSTs carry the session's CSRF token, checked as every form's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Zone } from '../../../core/zone.ts';
import { audit } from '../audit.ts';
import { beforeErase, reclaim } from '../reclaim.ts';
import { badResidentId, parseBefore } from '../resident-input.ts';
import { countResident, eraseResident, exportResident, knownResident } from '../resident-rights.ts';
import type { Console } from './context.ts';
import { html } from './html.ts';
import { eraseConfirmBody, erasedBody } from './pages/rights.ts';

type Q = Record<string, string | undefined>;
const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');

export function rightsRoutes(app: FastifyInstance, c: Console): void {
  const { d, db } = c;
  const hub = d.store.db;

  /** The admin and a resident the hub knows, or null (the refusal or the 404 already sent). */
  const admitted = async (req: FastifyRequest, reply: FastifyReply, action: string) => {
    const { resident } = req.params as { resident: string };
    const g = await c.admin(req, reply, { action, resident });
    if (!g) return null;
    const bad = badResidentId(resident);
    if (bad || !(await knownResident(db, resident))) {
      c.render(req, reply, g.ctx, {
        title: 'No such resident',
        status: 404,
        body: html`<h1>No such resident</h1><p>${bad ?? `The hub holds nothing about a resident "${resident}".`}</p>`,
      });
      return null;
    }
    return { ...g, resident };
  };

  app.post('/residents/:resident/export', async (req, reply) => {
    const g = await admitted(req, reply, 'export-resident');
    if (!g) return reply;
    const doc = await exportResident(hub, g.resident, d.now());
    await audit(
      db,
      { staff: g.staff.name, action: 'export-resident', resident: g.resident, outcome: 'ok' },
      d.now(),
    );
    const file = `hearth-${g.resident}-records.json`.replace(/[^\w.-]/g, '_');
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${file}"`)
      .header('cache-control', 'no-store')
      .send(JSON.stringify(doc, null, 2));
  });

  app.get('/residents/:resident/erase', async (req, reply) => {
    const g = await admitted(req, reply, 'erase-resident');
    if (!g) return reply;
    return c.render(req, reply, g.ctx, {
      title: `Erase ${g.resident}`,
      body: eraseConfirmBody(g.ctx, g.resident, await countResident(hub, g.resident)),
    });
  });

  app.post('/residents/:resident/erase', async (req, reply) => {
    const g = await admitted(req, reply, 'erase-resident');
    if (!g) return reply;
    const body = (req.body ?? {}) as Q;
    const again = async (problem: string) =>
      c.render(req, reply, g.ctx, {
        title: `Erase ${g.resident}`,
        status: 400,
        body: eraseConfirmBody(g.ctx, g.resident, await countResident(hub, g.resident), problem),
      });
    if (str(body.confirm, 100).trim() !== g.resident)
      return again(`the id typed was not ${g.resident}; nothing was erased`);
    const beforeText = str(body.before, 40).trim();
    let before: number | undefined;
    if (beforeText) {
      const b = parseBefore(beforeText, new Zone(d.timezone), d.now());
      if (!b.ok) return again(b.reason.replace(/^--before/, 'the date'));
      before = b.at;
    }
    await beforeErase(hub);
    const r = await eraseResident(hub, { resident: g.resident, by: g.staff.name, before }, d.now());
    const space = await reclaim(
      hub,
      Object.keys(r.counts).filter((t) => (r.counts[t] ?? 0) > 0),
      { rewrite: false },
    );
    return c.render(req, reply, g.ctx, {
      title: `Erased ${g.resident}`,
      body: erasedBody(g.resident, r, space, beforeText || undefined),
    });
  });
}
