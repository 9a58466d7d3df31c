// Call handling at the console: "I'm handling this", closing a call with an outcome, the hub's own
// alerts (acknowledged, claimed, noted and closed at the hub: no home to tell), and the admins'
// answer-time figures.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit.ts';
import { answerRows } from '../call-answers.ts';
import { answerFigures } from '../call-figures.ts';
import { type CallRef, hubRef } from '../call-tables.ts';
import { ackHubAlert, MAX_NOTE } from '../calls.ts';
import type { ClaimKind } from '../claims.ts';
import { maySee, seesEveryone } from './access.ts';
import { actOnAlert } from './act-on.ts';
import { callSettings, hubAlertOne } from './call-data.ts';
import { type Console, safeNext } from './context.ts';
import { html } from './html.ts';
import { answerTimesBody } from './pages/answer-times.ts';
import { hubAlertBody, hubAlertContent, hubAlertHref, mayActOnHub } from './pages/hub-alert.ts';
import { claimFor } from './push-action.ts';

type Q = Record<string, string | undefined>;
const str = (v: unknown, max = 200) => (typeof v === 'string' ? v.slice(0, max) : '');
const DAY = 86_400_000;

type Guarded = NonNullable<Awaited<ReturnType<Console['guard']>>>;
/** The alert a form acts on, once the signed-in person may: a home's, or one of the hub's own. */
type CallAt = { g: Guarded; ref: CallRef; resident: string | null; target: string; page: string };

export function callRoutes(app: FastifyInstance, c: Console): void {
  const { db, d } = c;
  const tz = d.timezone;

  /** A closed call's refusal or failure, as a page. */
  const failed = (
    req: FastifyRequest,
    reply: FastifyReply,
    ctx: Guarded['ctx'],
    status: number,
    title: string,
    reason: string,
    back: string,
  ) =>
    c.render(req, reply, ctx, {
      status,
      title,
      body: html`<h1>${title}</h1><p>${reason}</p><p><a href="${back}">Back</a></p>`,
    });

  /** A home's alert a form acts on, once the signed-in person may act on it; null when answered already. */
  const homeCall = async (
    req: FastifyRequest,
    reply: FastifyReply,
    action: string,
  ): Promise<CallAt | null> => {
    const a = await actOnAlert(c, req, reply, action);
    if (!a) return null;
    const ref: CallRef = { gateway: a.gateway, alertId: a.alertId };
    const page = `/alerts/${encodeURIComponent(a.gateway)}/${encodeURIComponent(a.alertId)}`;
    return { g: a.g, ref, resident: a.alert.resident, target: a.target, page };
  };

  /** One of the hub's own alerts a form names by its key. */
  const hubCall = async (req: FastifyRequest, reply: FastifyReply, action: string) => {
    const g = await c.guard(req, reply);
    if (!g) return null;
    const key = str((req.body as Q | undefined)?.key ?? (req.query as Q).key, 300);
    const found = await hubAlertOne(c, key);
    if (!found) {
      await reply.code(404).type('text/plain').send(`No hub alert ${key}.`);
      return null;
    }
    const resident = found.alert.resident ?? undefined;
    if (
      !mayActOnHub(g.ctx, found.alert) &&
      // Seeing one: whoever sees its home's resident; one of no known resident, operators and admins.
      !(action === 'view-hub-alert' && (resident ? maySee(g.staff, resident) : seesEveryone(g.staff)))
    ) {
      await c.refuse(req, reply, g.ctx, { action, ...(resident ? { resident } : {}), target: key });
      return null;
    }
    return { g, ref: hubRef(key), resident: resident ?? null, target: key, page: hubAlertHref(key), found };
  };

  const done = (g: Guarded, action: string, call: CallAt, detail: string | null, ok = true) =>
    audit(
      db,
      {
        staff: g.staff.name,
        action,
        resident: call.resident,
        target: call.target,
        outcome: ok ? 'ok' : 'failed',
        detail,
      },
      d.now(),
    );

  /** "I'm handling this" (handling) or "I'm on my way" (way). */
  const handle = async (
    req: FastifyRequest,
    reply: FastifyReply,
    call: CallAt,
    kind: ClaimKind = 'handling',
  ) => {
    const got = await claimFor(c, `${req.protocol}://${req.host}`, {
      gateway: call.ref.gateway,
      alertId: call.ref.alertId,
      staff: call.g.staff.name,
      kind,
    });
    if (got === 'claimed')
      await done(call.g, kind === 'handling' ? 'handle' : 'claim', call, 'from the console');
    d.live.notify('ack');
    return reply.redirect(safeNext((req.body as Q).back), 303);
  };

  const close = async (req: FastifyRequest, reply: FastifyReply, call: CallAt) => {
    const body = (req.body ?? {}) as Q;
    const outcome = str(body.outcome, 64);
    if (!d.close)
      return failed(req, reply, call.g.ctx, 503, 'Not closed', 'This hub cannot close calls.', call.page);
    const r = await d.close({
      ref: call.ref,
      outcome,
      note: str(body.note, MAX_NOTE),
      by: call.g.staff.name,
    });
    await done(call.g, 'close', call, r.ok ? outcome : r.reason, r.ok);
    if (!r.ok) return failed(req, reply, call.g.ctx, r.status, 'Not closed', r.reason, call.page);
    d.live.notify('ack');
    return reply.redirect(safeNext(body.back ?? '/'), 303);
  };

  const note = async (req: FastifyRequest, reply: FastifyReply, call: CallAt) => {
    const text = str((req.body as Q).note, MAX_NOTE).trim();
    if (text) {
      await db
        .insertInto('alert_notes')
        .values({
          id: randomUUID(),
          gateway: call.ref.gateway,
          alert_id: call.ref.alertId,
          staff: call.g.staff.name,
          at: d.now(),
          note: text,
        })
        .execute();
      await done(call.g, 'note', call, null);
    }
    return reply.redirect(call.page, 303);
  };

  // "I'm on my way", from the console (a notification's button does the same through push-action.ts).
  app.post('/alerts/:gateway/:alertId/claim', async (req, reply) => {
    const call = await homeCall(req, reply, 'claim');
    return call ? handle(req, reply, call, 'way') : reply;
  });
  app.post('/alerts/:gateway/:alertId/note', async (req, reply) => {
    const call = await homeCall(req, reply, 'note');
    return call ? note(req, reply, call) : reply;
  });
  app.post('/alerts/:gateway/:alertId/handle', async (req, reply) => {
    const call = await homeCall(req, reply, 'handle');
    return call ? handle(req, reply, call) : reply;
  });
  app.post('/alerts/:gateway/:alertId/close', async (req, reply) => {
    const call = await homeCall(req, reply, 'close');
    return call ? close(req, reply, call) : reply;
  });

  app.get('/hub-alert', async (req, reply) => {
    const call = await hubCall(req, reply, 'view-hub-alert');
    if (!call) return reply;
    // Audited as a home's alert is (routes.ts: view-alert); the page's own live refreshes are not.
    if (!req.headers['x-fragment']) await done(call.g, 'view-hub-alert', call, null);
    const content = hubAlertContent(call.g.ctx, { ...call.found, outcomes: callSettings(c).outcomes }, tz);
    return c.render(req, reply, call.g.ctx, {
      title: 'Hub alert',
      body: hubAlertBody(content),
      fragment: content,
      live: ['alert', 'ack'],
    });
  });
  app.post('/hub-alert/ack', async (req, reply) => {
    const call = await hubCall(req, reply, 'ack');
    if (!call) return reply;
    const r = await ackHubAlert(d.store, call.target, call.g.staff.name, d.now());
    if (r === 'acked') await done(call.g, 'ack', call, 'at the hub');
    d.live.notify('ack');
    return reply.redirect(safeNext((req.body as Q).back), 303);
  });
  app.post('/hub-alert/handle', async (req, reply) => {
    const call = await hubCall(req, reply, 'handle');
    return call ? handle(req, reply, call) : reply;
  });
  // A technician or responder may go to a silent home, as to a home's alert.
  app.post('/hub-alert/claim', async (req, reply) => {
    const call = await hubCall(req, reply, 'claim');
    return call ? handle(req, reply, call, 'way') : reply;
  });
  app.post('/hub-alert/note', async (req, reply) => {
    const call = await hubCall(req, reply, 'note');
    return call ? note(req, reply, call) : reply;
  });
  app.post('/hub-alert/close', async (req, reply) => {
    const call = await hubCall(req, reply, 'close');
    return call ? close(req, reply, call) : reply;
  });

  app.get('/admin/answer-times', async (req, reply) => {
    const g = await c.admin(req, reply, { action: 'view-answer-times' });
    if (!g) return reply;
    const days = Math.min(92, Math.max(1, Number.parseInt(str((req.query as Q).days, 3), 10) || 7));
    const s = callSettings(c);
    const now = d.now();
    const rows = await answerRows(d.store.db, now - days * DAY, now + 1);
    const f = answerFigures(rows, { targets: s.answer_targets, shifts: s.shifts, timezone: tz, now });
    return c.render(req, reply, g.ctx, {
      title: 'Answer times',
      body: answerTimesBody({ days, targets: s.answer_targets, ...f }),
    });
  });
}
