// The console's pages. Each checks who asks before reading anything about a resident; a carer
// asking for someone else's resident or alert gets 403, and the refusal is audited.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NightMessage, SummaryMessage } from '../../protocol/messages.ts';
import { audit, auditLog } from '../audit.ts';
import { closeToldOf, closuresOf } from '../calls.ts';
import { alertHistory } from '../queries.ts';
import { testCallSummaries } from '../test-calls.ts';
import { isAdmin, mayAck, maySee } from './access.ts';
import { actOnAlert } from './act-on.ts';
import { callSettings, closedHubAlerts, openCalls, openQueue, queueOf } from './call-data.ts';
import { type Console, safeNext } from './context.ts';
import {
  alertOne,
  alertsOf,
  claimsOn,
  fhirOf,
  history,
  latestSummaries,
  nightsOf,
  notesOf,
  summariesOf,
  visibleHomes,
} from './data.ts';
import { html } from './html.ts';
import { FORM_MODES, formUntil, lastMode, lastModes, modeNow } from './mode-form.ts';
import { alertBody, alertContent } from './pages/alert.ts';
import { auditBody, historyBody } from './pages/history.ts';
import { arrange, homeRows, homesBody, homesContent, SORTS, type Sort } from './pages/homes.ts';
import { queueBody, queueContent } from './pages/queue.ts';
import { modeForm, residentBody, residentContent } from './pages/resident.ts';
import { rightsForms } from './pages/rights.ts';
import { muteBar, untakenStrip } from './pages/untaken.ts';
import { queueRecords, recordFor } from './record-routes.ts';

type Q = Record<string, string | undefined>;
const str = (v: unknown, max = 200) => (typeof v === 'string' ? v.slice(0, max) : '');

export function pageRoutes(app: FastifyInstance, c: Console): void {
  const { db, d } = c;
  const tz = d.timezone;

  app.get('/', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const items = await openQueue(c, g.staff);
    const residents = items.flatMap((i) => (i.a.resident ? [i.a.resident] : []));
    const records = await queueRecords(c, g.staff, residents, Boolean(req.headers['x-fragment']));
    const content = queueContent(g.ctx, items, d.now(), tz, {
      targets: callSettings(c).answer_targets,
      focusNext: (req.query as Q).focus === 'next',
      records,
    });
    return c.render(req, reply, g.ctx, {
      title: 'Alerts',
      body: queueBody(content),
      fragment: content,
      live: ['alert', 'cmd-result', 'ack', 'status', 'heartbeat'],
    });
  });

  app.get('/homes', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const q = req.query as Q;
    const o = {
      // Own keys only: `__proto__` or `toString` is in every object, and is no order.
      sort: (q.sort && Object.hasOwn(SORTS, q.sort) ? q.sort : 'state') as Sort,
      q: str(q.q, 100),
      only: str(q.only, 20),
    };
    const homes = await visibleHomes(db, g.staff);
    const gateways = new Set(homes.map((h) => h.gateway));
    // The open alerts and their closures, read once for the rows and the untaken strip. The rows
    // take the hub's alerts about the homes shown newest first, as they always have.
    const calls = await openCalls(c, g.staff);
    const open = calls.hub.filter((a) => gateways.has(a.gateway)).sort((a, b) => b.raised_at - a.raised_at);
    const latest = await latestSummaries(db, [...new Set(homes.map((h) => h.resident))]);
    const tests = await testCallSummaries(d.store.db);
    const modes = await lastModes(db, [...gateways]);
    const now = d.now();
    const rows = arrange(
      homeRows(
        homes,
        open,
        latest,
        tests,
        new Map(homes.map((h) => [h.gateway, modeNow(modes.get(h.gateway), now)])),
        closedHubAlerts(c, open, calls.closed),
      ),
      o,
    );
    // An urgent alert nobody has taken sounds here too (untaken.ts); 'ack': until someone takes it.
    const content = html`${untakenStrip(queueOf(calls))}${homesContent(rows, homes.length, d.now(), tz)}`;
    return c.render(req, reply, g.ctx, {
      title: 'Homes',
      body: homesBody(o, content, muteBar()),
      fragment: content,
      live: ['status', 'heartbeat', 'summary', 'alert', 'cmd-result', 'ack'],
    });
  });

  app.get('/residents/:resident', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const { resident } = req.params as { resident: string };
    if (!maySee(g.staff, resident)) return c.refuse(req, reply, g.ctx, { action: 'view-resident', resident });
    const [homes, rows, nightRows, alerts] = await Promise.all([
      visibleHomes(db, g.staff).then((hs) => hs.filter((h) => h.resident === resident)),
      summariesOf(db, resident, 14),
      nightsOf(db, resident, 14),
      alertsOf(db, resident),
    ]);
    const mode = await lastMode(
      db,
      homes.map((h) => h.gateway),
    );
    if (!req.headers['x-fragment'])
      await audit(db, { staff: g.staff.name, action: 'view-resident', resident, outcome: 'ok' }, d.now());
    const summaries = rows.map((r) => JSON.parse(r.json) as SummaryMessage);
    const nights = nightRows.map((r) => JSON.parse(r.json) as NightMessage);
    const quiet = Boolean(req.headers['x-fragment']);
    const record = await recordFor(c, g.ctx, resident, { where: 'resident page', quiet });
    const content = residentContent(
      { resident, homes, summaries, nights, alerts, mode, now: d.now(), record },
      tz,
    );
    return c.render(req, reply, g.ctx, {
      title: `Resident ${resident}`,
      body: residentBody(
        resident,
        content,
        html`${mayAck(g.staff, resident) ? modeForm(g.ctx, resident) : ''}${isAdmin(g.staff) ? rightsForms(g.ctx, resident) : ''}`,
      ),
      fragment: content,
      live: ['summary', 'night', 'alert', 'cmd-result'],
    });
  });

  // A care mode for her home (README: Care modes): the same people as may acknowledge her alerts.
  // sendMode checks the mode and its end against the protocol's limits and records the command;
  // the page then shows it pending until the home answers.
  app.post('/residents/:resident/mode', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const { resident } = req.params as { resident: string };
    if (!mayAck(g.staff, resident)) return c.refuse(req, reply, g.ctx, { action: 'mode', resident });
    const body = (req.body ?? {}) as Q;
    const mode = str(body.mode, 32).trim();
    // An unknown mode is named before its end time is looked at: "holiday" needs no until to be wrong.
    const until = !FORM_MODES.includes(mode)
      ? { ok: false as const, reason: `mode: "${mode}" is not one of ${FORM_MODES.join(', ')}` }
      : mode === 'off'
        ? { ok: true as const, until: undefined }
        : formUntil(str(body.until, 64), d.now(), tz);
    const r = until.ok
      ? await d.mode({
          home: resident,
          mode,
          by: g.staff.name,
          ...(until.until ? { until: until.until } : {}),
        })
      : ({ ok: false, status: 400, reason: until.reason } as const);
    await audit(
      db,
      {
        staff: g.staff.name,
        action: 'mode',
        resident,
        target: r.ok ? r.gateway : null,
        outcome: r.ok ? 'ok' : 'failed',
        detail: r.ok
          ? `${mode}${until.ok && until.until ? ` until ${until.until}` : ''}: ${r.commandId}`
          : r.reason,
      },
      d.now(),
    );
    if (!r.ok)
      return c.render(req, reply, g.ctx, {
        status: r.status,
        title: 'Care mode not set',
        body: html`<h1>Care mode not set</h1><p>${r.reason}</p><p><a href="/residents/${encodeURIComponent(resident)}">Back to resident ${resident}</a></p>`,
      });
    return reply.redirect(`/residents/${encodeURIComponent(resident)}`, 303);
  });

  app.get('/residents/:resident/fhir/:date', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const { resident, date } = req.params as { resident: string; date: string };
    if (!maySee(g.staff, resident))
      return c.refuse(req, reply, g.ctx, { action: 'download-fhir', resident, target: date });
    const row = await fhirOf(db, resident, date);
    if (!row) return reply.code(404).type('text/plain').send(`No summary for ${resident} on ${date}.`);
    await audit(
      db,
      { staff: g.staff.name, action: 'download-fhir', resident, target: date, outcome: 'ok' },
      d.now(),
    );
    const file = `hearth-${resident}-${date}.fhir.json`.replace(/[^\w.-]/g, '_');
    return reply
      .type('application/fhir+json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${file}"`)
      .header('cache-control', 'no-store')
      .send(row.fhir);
  });

  app.get('/alerts/:gateway/:alertId', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const { gateway, alertId } = req.params as { gateway: string; alertId: string };
    const alert = await alertOne(db, gateway, alertId);
    if (!alert) return reply.code(404).type('text/plain').send(`No alert ${alertId} from ${gateway}.`);
    if (!maySee(g.staff, alert.resident))
      return c.refuse(req, reply, g.ctx, {
        action: 'view-alert',
        resident: alert.resident,
        target: `${gateway}/${alertId}`,
      });
    const [hist, notes, claims, closures, closeTold] = await Promise.all([
      alertHistory(d.store.db, gateway, alertId),
      notesOf(db, gateway, alertId),
      claimsOn(db, gateway, alertId),
      closuresOf(d.store, [{ gateway, alertId }]),
      closeToldOf(d.store, { gateway, alertId }),
    ]);
    if (!req.headers['x-fragment'])
      await audit(
        db,
        {
          staff: g.staff.name,
          action: 'view-alert',
          resident: alert.resident,
          target: `${gateway}/${alertId}`,
          outcome: 'ok',
        },
        d.now(),
      );
    const record = await recordFor(c, g.ctx, alert.resident, {
      where: `${gateway}/${alertId}`,
      keySafe: true,
      quiet: Boolean(req.headers['x-fragment']),
    });
    const closure = closures.get(`${gateway}/${alertId}`);
    // An urgent alert nobody has taken, this one or another, sounds here too (untaken.ts).
    const content = html`${untakenStrip(await openQueue(c, g.staff))}${alertContent(
      g.ctx,
      { alert, history: hist, notes, claims, record, closure, closeTold, outcomes: callSettings(c).outcomes },
      tz,
    )}`;
    return c.render(req, reply, g.ctx, {
      title: 'Alert',
      body: alertBody(content, muteBar()),
      fragment: content,
      live: ['alert', 'cmd-result', 'ack'],
    });
  });

  const actOn = (req: FastifyRequest, reply: FastifyReply, action: string) =>
    actOnAlert(c, req, reply, action);

  app.post('/alerts/:gateway/:alertId/ack', async (req, reply) => {
    const a = await actOn(req, reply, 'ack');
    if (!a) return reply;
    const { g, gateway, alertId, alert, target } = a;
    const r = await d.ack({ alertId, gateway, by: g.staff.name });
    await audit(
      db,
      {
        staff: g.staff.name,
        action: 'ack',
        resident: alert.resident,
        target,
        outcome: r.ok ? 'ok' : 'failed',
        detail: r.ok ? r.commandId : r.reason,
      },
      d.now(),
    );
    if (!r.ok)
      return c.render(req, reply, g.ctx, {
        status: r.status,
        title: 'Not acknowledged',
        body: html`<h1>Not acknowledged</h1><p>${r.reason}</p><p><a href="/">Back to the alerts</a></p>`,
      });
    d.live.notify('ack');
    return reply.redirect(safeNext((req.body as Q).back), 303);
  });

  app.get('/history', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const q = str((req.query as Q).q, 100).trim();
    const rows = await history(db, g.staff, q);
    const closures = await closuresOf(
      d.store,
      rows.map((a) => ({ gateway: a.gateway, alertId: a.alert_id })),
    );
    return c.render(req, reply, g.ctx, {
      title: 'History',
      body: historyBody(q, rows, tz, { closures, outcomes: callSettings(c).outcomes }),
    });
  });

  app.get('/admin/audit', async (req, reply) => {
    const g = await c.admin(req, reply, { action: 'view-audit' });
    if (!g) return reply;
    const q = str((req.query as Q).q, 100).trim();
    return c.render(req, reply, g.ctx, {
      title: 'Audit log',
      body: auditBody(q, await auditLog(db, { q }), tz),
    });
  });
}
