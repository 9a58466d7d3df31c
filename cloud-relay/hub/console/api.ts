// The hub's JSON API, as the first web listener served it: GET /healthz, GET /api/alerts
// (?all=1 for closed ones too), POST /api/alerts/:id/ack {"by": name, "gateway"?: id}.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hubAlerts, listAlerts } from '../queries.ts';
import type { ConsoleDeps } from './context.ts';

const ackBody = z.strictObject({ by: z.string().min(1).max(128), gateway: z.string().min(1).optional() });
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function apiRoutes(
  api: FastifyInstance,
  d: Pick<ConsoleDeps, 'store' | 'health' | 'ack' | 'live'>,
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
    const all = (req.query as Record<string, string | undefined>).all === '1';
    const [alerts, hub] = await Promise.all([
      listAlerts(d.store.db, { open: !all }),
      hubAlerts(d.store.db, { open: !all }),
    ]);
    return reply.headers(JSON_HEADERS).send(JSON.stringify({ alerts, hub_alerts: hub }));
  });

  api.post('/api/alerts/:id/ack', async (req, reply) => {
    const send = (status: number, body: unknown) =>
      reply.code(status).headers(JSON_HEADERS).send(JSON.stringify(body));
    let body: unknown;
    try {
      body = JSON.parse(typeof req.body === 'string' ? req.body : '');
    } catch (e) {
      return send(400, { error: `expected a JSON body {"by": "name"}: ${(e as Error).message}` });
    }
    const b = ackBody.safeParse(body);
    if (!b.success) return send(400, { error: `expected {"by": "name"}: ${b.error.issues[0]?.message}` });
    const r = await d.ack({
      alertId: (req.params as { id: string }).id,
      by: b.data.by,
      gateway: b.data.gateway,
    });
    if (r.ok) d.live.notify('ack');
    return r.ok ? send(202, { ...r, pending: true }) : send(r.status, { error: r.reason });
  });
}
