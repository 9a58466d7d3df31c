// Residents' records: edited by admins (the session's CSRF token, checked as every form's; refused
// with every problem named), read by operators and her own carers (access.ts: maySee). Every view
// of a record and every edit is audited; an edit's line names the fields it changed, never a value.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit.ts';
import { ladderOf } from '../push-causes.ts';
import { pushDb } from '../push-tables.ts';
import { putRecord, recordDb, recordLines, recordOf } from '../records.ts';
import { changedFields } from '../resident-record.ts';
import { maySee, type Staff } from './access.ts';
import type { Console } from './context.ts';
import { type Html, html } from './html.ts';
import type { PageCtx } from './layout.ts';
import { recordFormBody, recordSection, recordsListBody, valuesOf } from './pages/record.ts';
import { parseRecordForm } from './record-form.ts';

type Where = { where: string; keySafe?: boolean; quiet?: boolean };

/**
 * Her record as a section of a page the caller has already allowed (`maySee`), audited as a view
 * unless `quiet` (a live refresh of a page already audited).
 */
export async function recordFor(c: Console, ctx: PageCtx, resident: string, o: Where): Promise<Html> {
  const db = recordDb(c.db);
  const [read, ladder] = await Promise.all([
    recordOf(db, resident),
    pushDb(c.db)
      .transaction()
      .execute((t) => ladderOf(t, resident)),
  ]);
  if (read && !o.quiet) await auditView(c, ctx.staff, resident, o.where);
  return recordSection(ctx, { resident, read, ladder, keySafe: o.keySafe ?? false, tz: c.d.timezone });
}

const auditView = (c: Console, s: Staff, resident: string, target: string) =>
  audit(c.db, { staff: s.name, action: 'view-record', resident, target, outcome: 'ok' }, c.d.now());

/** The card lines of the residents on a queue; a full page's load audits each record shown. */
export async function queueRecords(c: Console, s: Staff, residents: string[], quiet: boolean) {
  const lines = await recordLines(recordDb(c.db), residents);
  if (!quiet) for (const r of lines.keys()) await auditView(c, s, r, 'queue');
  return lines;
}

export function recordRoutes(app: FastifyInstance, c: Console): void {
  const db = recordDb(c.db);
  /** The admin, or null (the refusal already sent and audited, with the resident asked about). */
  const admin = (req: FastifyRequest, reply: FastifyReply, action: string) => {
    const { resident } = (req.params ?? {}) as { resident?: string };
    return c.admin(req, reply, { action, ...(resident ? { resident } : {}) });
  };

  app.get('/admin/records', async (req, reply) => {
    const g = await admin(req, reply, 'view-records');
    if (!g) return reply;
    const [bound, records] = await Promise.all([
      db.selectFrom('residents').select('resident').execute(),
      db.selectFrom('resident_records').select(['resident', 'name']).execute(),
    ]);
    const names = new Map(records.map((r) => [r.resident, r.name]));
    const all = [...new Set([...bound.map((r) => r.resident), ...names.keys()])].sort();
    return c.render(req, reply, g.ctx, {
      title: 'Resident records',
      body: recordsListBody(all.map((resident) => ({ resident, name: names.get(resident) ?? null }))),
    });
  });

  app.get('/admin/records/:resident', async (req, reply) => {
    const g = await admin(req, reply, 'view-record');
    if (!g) return reply;
    const { resident } = req.params as { resident: string };
    const read = await recordOf(db, resident);
    if (read) await auditView(c, g.staff, resident, 'form');
    const stored = read && 'record' in read ? read.record : null;
    return c.render(req, reply, g.ctx, {
      title: `Record of ${resident}`,
      body: recordFormBody(g.ctx, resident, valuesOf(stored)),
    });
  });

  app.post('/admin/records/:resident', async (req, reply) => {
    const g = await admin(req, reply, 'edit-record');
    if (!g) return reply;
    const { resident } = req.params as { resident: string };
    const body = (req.body ?? {}) as Record<string, unknown>;
    const staff = await db.selectFrom('staff').select('name').where('disabled', '=', 0).execute();
    const r = parseRecordForm(body, resident, new Set(staff.map((s) => s.name)));
    if (!r.ok) {
      // The count only: a problem may quote what was typed, and the log keeps no value.
      const detail = `${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`;
      await audit(
        c.db,
        { staff: g.staff.name, action: 'edit-record', resident, outcome: 'refused', detail },
        c.d.now(),
      );
      const typed = Object.fromEntries(
        Object.entries(body).filter(
          (e): e is [string, string] => typeof e[1] === 'string' && e[0] !== '_csrf',
        ),
      );
      return c.render(req, reply, g.ctx, {
        status: 400,
        title: `Record of ${resident}`,
        body: recordFormBody(g.ctx, resident, typed, r.problems),
      });
    }
    const before = await recordOf(db, resident);
    const changed = changedFields(before && 'record' in before ? before.record : null, r.record);
    await putRecord(db, r.record, g.staff.name, c.d.now());
    await audit(
      c.db,
      {
        staff: g.staff.name,
        action: 'edit-record',
        resident,
        outcome: 'ok',
        detail: changed.length ? `changed: ${changed.join(', ')}` : 'no change',
      },
      c.d.now(),
    );
    return reply.redirect(`/residents/${encodeURIComponent(resident)}/record`, 303);
  });

  // The record alone, for those who may see her: operators, admins and her own carers.
  app.get('/residents/:resident/record', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const { resident } = req.params as { resident: string };
    if (!maySee(g.staff, resident)) return c.refuse(req, reply, g.ctx, { action: 'view-record', resident });
    const section = await recordFor(c, g.ctx, resident, { where: 'record page' });
    return c.render(req, reply, g.ctx, {
      title: `Record of ${resident}`,
      body: html`<h1>Record of ${resident}</h1><p><a href="/residents/${encodeURIComponent(resident)}">Resident ${resident}</a></p>${section}`,
    });
  });
}
