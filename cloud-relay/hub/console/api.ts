// The hub's JSON API: GET /healthz (public: counts only, for load balancers), and for a signed-in
// member of staff GET /api/alerts (open: not resolved, nor closed with an outcome; ?all=1 for closed ones too; a carer sees their residents') and
// POST /api/alerts/:id/ack {"gateway"?: id} with the session's CSRF token in x-csrf-token. Who
// acknowledged is the person signed in, never a name the caller writes.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit } from '../audit.ts';
import { HUB_GATEWAY, hubRef } from '../call-tables.ts';
import { closuresOf } from '../calls.ts';
import { hubAlerts, listAlerts } from '../queries.ts';
import { mayAck, maySee, seesEveryone } from './access.ts';
import type { Console, ConsoleDeps } from './context.ts';

const ackBody = z.strictObject({ gateway: z.string().min(1).optional() });
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function apiRoutes(
  api: FastifyInstance,
  d: Pick<ConsoleDeps, 'store' | 'health' | 'ack' | 'live' | 'now'>,
  c: Pick<Console, 'guard' | 'db'>,
): void {
  // The body is read as text whatever its type, so that a bad one gets this API's own message.
  api.removeAllContentTypeParsers();
  api.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  api.get('/healthz', (_req, reply) => {
    const h = d.health();
    return reply
      .code(h.ok ? 200 : 503)
      .headers(JSON_HEADERS)
      .send(JSON.stringify(h));
  });

  api.get('/api/alerts', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const all = (req.query as Record<string, string | undefined>).all === '1';
    const [listed, hubListed] = await Promise.all([
      listAlerts(d.store.db, { open: !all }),
      hubAlerts(d.store.db, { open: !all }),
    ]);
    // Open: not closed with an outcome at the console either (calls.ts), as on the queue.
    const closed = all
      ? new Map()
      : await closuresOf(d.store, [
          ...listed.map((a) => ({ gateway: a.gateway, alertId: a.alert_id })),
          ...hubListed.map((h) => hubRef(h.key)),
        ]);
    const alerts = listed.filter((a) => !closed.has(`${a.gateway}/${a.alert_id}`));
    const hub = hubListed.filter((h) => !closed.has(`${HUB_GATEWAY}/${h.key}`));
    const body = {
      alerts: alerts.filter((a) => maySee(g.staff, a.resident)),
      // Gateway health is the monitoring team's view; a carer sees their residents' alerts.
      hub_alerts: seesEveryone(g.staff) ? hub : [],
    };
    return reply.headers(JSON_HEADERS).send(JSON.stringify(body));
  });

  api.post('/api/alerts/:id/ack', async (req, reply) => {
    const send = (status: number, body: unknown) =>
      reply.code(status).headers(JSON_HEADERS).send(JSON.stringify(body));
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const text = typeof req.body === 'string' && req.body.trim() ? req.body : '{}';
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      return send(400, { error: `expected a JSON body {} or {"gateway": "gw-…"}: ${(e as Error).message}` });
    }
    const b = ackBody.safeParse(body);
    if (!b.success)
      return send(400, { error: `expected {} or {"gateway": "gw-…"}: ${b.error.issues[0]?.message}` });
    const alertId = (req.params as { id: string }).id;
    let q = d.store.db.selectFrom('alerts').select(['gateway', 'resident']).where('alert_id', '=', alertId);
    if (b.data.gateway) q = q.where('gateway', '=', b.data.gateway);
    const alert = await q.executeTakeFirst();
    const target = `${alert?.gateway ?? b.data.gateway ?? '?'}/${alertId}`;
    if (alert && !mayAck(g.staff, alert.resident)) {
      await audit(
        c.db,
        {
          staff: g.staff.name,
          action: 'ack',
          resident: alert.resident,
          target,
          outcome: 'refused',
          detail: 'api',
        },
        d.now(),
      );
      return send(403, { error: `alert ${alertId} is about a resident who is not assigned to you` });
    }
    const r = await d.ack({ alertId, by: g.staff.name, gateway: b.data.gateway });
    await audit(
      c.db,
      {
        staff: g.staff.name,
        action: 'ack',
        resident: alert?.resident ?? null,
        target,
        outcome: r.ok ? 'ok' : 'failed',
        detail: r.ok ? r.commandId : r.reason,
      },
      d.now(),
    );
    if (r.ok) d.live.notify('ack');
    return r.ok ? send(202, { ...r, pending: true }) : send(r.status, { error: r.reason });
  });
}
