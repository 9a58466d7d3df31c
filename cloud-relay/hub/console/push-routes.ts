// Web Push in the console: the app's manifest, icon and service worker (public: they hold nothing
// about anyone), the "Alerts on this phone" page, the subscriptions a signed-in person sends (a
// JSON body, bounded and checked, with the session's CSRF token in x-csrf-token), and the answers
// a notification's actions send (authorised by the token the push carried, not by a session).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { audit } from '../audit.ts';
import type { PushKeys } from '../push-keys.ts';
import { pushDb, pushTx } from '../push-tables.ts';
import { MAX_TOKEN } from '../push-tokens.ts';
import type { Console } from './context.ts';
import { PUSH_SCRIPT, pushBody } from './pages/push.ts';
import { answerAction } from './push-action.ts';
import { clientOf, type SigninLimits, takeTurn } from './rate-limit.ts';
import { ICON, MANIFEST, SERVICE_WORKER } from './service-worker.ts';

/** Each person's phones; subscribing one more forgets the oldest. */
export const MAX_PHONES = 10;

const base64url = (bytes: number, what: string) =>
  z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `${what}: expected base64url`)
    .refine((s) => Buffer.from(s, 'base64url').length === bytes, `${what}: expected ${bytes} bytes`);

/**
 * A push service's address: https, or http on this machine (a push service under test). Anything
 * else would have the hub POST wherever a signed-in person pointed it.
 */
const pushEndpoint = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (
        u.protocol === 'https:' ||
        (u.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname))
      );
    } catch {
      return false;
    }
  }, 'endpoint: expected the https:// address of a push service');

/** What PushSubscription.toJSON() gives. */
export const subscriptionBody = z.strictObject({
  endpoint: pushEndpoint,
  expirationTime: z.number().nullable().optional(),
  keys: z.strictObject({
    p256dh: base64url(65, 'keys.p256dh').refine(
      (s) => Buffer.from(s, 'base64url')[0] === 4,
      'keys.p256dh: expected an uncompressed P-256 point',
    ),
    auth: base64url(16, 'keys.auth'),
  }),
});
const removeBody = z.strictObject({ endpoint: z.string().max(2048) });
const actionBody = z.strictObject({ token: z.string().min(1).max(MAX_TOKEN) });

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const subscriptionId = (endpoint: string) => createHash('sha256').update(endpoint).digest('base64url');

/** The body as JSON checked by `schema`, or the 400 already sent naming what was wrong. */
function parsed<T>(reply: FastifyReply, body: unknown, schema: z.ZodType<T>, expected: string): T | null {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' && body.trim() ? body : '');
  } catch (e) {
    void reply
      .code(400)
      .headers(JSON_HEADERS)
      .send(JSON.stringify({ error: `expected a JSON body ${expected}: ${(e as Error).message}` }));
    return null;
  }
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  void reply
    .code(400)
    .headers(JSON_HEADERS)
    .send(
      JSON.stringify({
        error: `expected ${expected}: ${issue?.path.join('.') || 'body'}: ${issue?.message}`,
      }),
    );
  return null;
}

/** The public files and the page; on the console's own scope (form and file bodies). */
/** Refused answers: 20 at once from an address, then one every 30 s; 300 at once from all. */
const FORGED: SigninLimits = {
  name: { burst: 20, everyMs: 30_000 },
  address: { burst: 300, everyMs: 1_000 },
};

export function pushPages(app: FastifyInstance, c: Console, keys: PushKeys): void {
  app.get('/sw.js', (_req, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      // A phone checks for a new worker on every visit rather than keeping an old one a day.
      .header('cache-control', 'no-cache')
      .header('service-worker-allowed', '/')
      .send(SERVICE_WORKER),
  );
  app.get('/manifest.webmanifest', (_req, reply) =>
    reply
      .type('application/manifest+json; charset=utf-8')
      .header('cache-control', 'max-age=3600')
      .send(MANIFEST),
  );
  app.get('/static/icon.svg', (_req, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'max-age=86400').send(ICON),
  );
  app.get('/static/push.js', (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'max-age=3600').send(PUSH_SCRIPT),
  );
  app.get('/push', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const phones = await pushDb(c.d.store.db)
      .selectFrom('push_subscriptions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('staff', '=', g.staff.name)
      .executeTakeFirst();
    return c.render(req, reply, g.ctx, {
      title: 'Alerts on this phone',
      body: pushBody(g.ctx, { vapidKey: keys.vapid.publicKey, phones: Number(phones?.n ?? 0) }),
    });
  });
}

/** The JSON routes; on the API's scope, where a body is read as text and checked here. */
export function pushApi(api: FastifyInstance, c: Console, keys: PushKeys): void {
  const db = pushDb(c.d.store.db);
  api.post('/push/subscriptions', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const s = parsed(
      reply,
      req.body,
      subscriptionBody,
      'a push subscription {"endpoint", "keys": {"p256dh", "auth"}}',
    );
    if (!s) return reply;
    const now = c.d.now();
    const row = {
      staff: g.staff.name,
      endpoint: s.endpoint,
      p256dh: s.keys.p256dh,
      auth: s.keys.auth,
      created: now,
    };
    await c.d.store.tx(async (tx) => {
      const t = pushTx(tx);
      // The phone is whoever signed in on it last: the same endpoint moves to them.
      await t
        .insertInto('push_subscriptions')
        .values({ id: subscriptionId(s.endpoint), ...row })
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
      const extra = await t
        .selectFrom('push_subscriptions')
        .select('id')
        .where('staff', '=', g.staff.name)
        .orderBy('created', 'desc')
        .offset(MAX_PHONES)
        .limit(100)
        .execute();
      if (extra.length)
        await t
          .deleteFrom('push_subscriptions')
          .where(
            'id',
            'in',
            extra.map((e) => e.id),
          )
          .execute();
    });
    await audit(
      c.db,
      { staff: g.staff.name, action: 'push-subscribe', target: new URL(s.endpoint).host, outcome: 'ok' },
      now,
    );
    return reply
      .code(201)
      .headers(JSON_HEADERS)
      .send(JSON.stringify({ ok: true }));
  });

  api.post('/push/subscriptions/remove', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const s = parsed(reply, req.body, removeBody, '{"endpoint": "…"}');
    if (!s) return reply;
    const r = await db
      .deleteFrom('push_subscriptions')
      .where('id', '=', subscriptionId(s.endpoint))
      .where('staff', '=', g.staff.name)
      .executeTakeFirst();
    await audit(c.db, { staff: g.staff.name, action: 'push-unsubscribe', outcome: 'ok' }, c.d.now());
    return reply.headers(JSON_HEADERS).send(JSON.stringify({ removed: Number(r.numDeletedRows) }));
  });

  // No session here: a service worker answering a notification has no cookie context. The token is.
  // A token the hub did not sign costs a turn from its address's budget and from all addresses'
  // (the sign-in buckets' table): a guesser is slowed, and the audit log is not flooded.
  api.post('/push/action', async (req, reply) => {
    const b = parsed(reply, req.body, actionBody, '{"token": "…"}');
    if (!b) return reply;
    const client = clientOf(req.ip);
    const slowed = async () =>
      !(await takeTurn(c.d.store, { name: `push:${client}`, address: 'push:all' }, c.d.now(), FORGED)).ok;
    const r = await answerAction(c, keys, b.token, `${req.protocol}://${req.host}`, slowed);
    if (r.status === 429) void reply.header('retry-after', '60');
    return reply.code(r.status).headers(JSON_HEADERS).send(JSON.stringify(r.body));
  });
}
