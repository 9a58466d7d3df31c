// The tokens a notification's actions carry. A service worker answering "Acknowledge" has no
// session cookie and no CSRF token, so the push itself carries what authorises the answer: a
// token the hub signed (HMAC-SHA-256 with a secret in its database) naming one person, one alert
// and one action, expiring, and good once (its id is recorded when used). Pure: the key and the
// time are given.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const ACTIONS = ['ack', 'claim'] as const;
export type PushAction = (typeof ACTIONS)[number];

/** As long as the push itself lives at the push service (its TTL): an answer an hour late is no answer. */
export const TOKEN_TTL_MS = 60 * 60_000;
export const MAX_TOKEN = 1024;

const claimSchema = z.strictObject({
  /** Token id, recorded when used. */
  id: z.string().min(16).max(64),
  staff: z.string().min(1).max(100),
  gateway: z.string().min(1).max(200),
  alert_id: z.string().min(1).max(200),
  action: z.enum(ACTIONS),
  exp: z.number().int(),
});
export type ActionClaim = z.infer<typeof claimSchema>;

const DOMAIN = 'hearth push action v1\n';
const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(DOMAIN).update(body).digest();

export function signAction(
  key: Buffer,
  c: { staff: string; gateway: string; alertId: string; action: PushAction },
  now: number,
): string {
  const claim: ActionClaim = {
    id: randomBytes(18).toString('base64url'),
    staff: c.staff,
    gateway: c.gateway,
    alert_id: c.alertId,
    action: c.action,
    exp: now + TOKEN_TTL_MS,
  };
  const body = Buffer.from(JSON.stringify(claim)).toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

/** The token's claim when it is the hub's, whole and in date; else why not. */
export function verifyAction(
  key: Buffer,
  token: string,
  now: number,
): { ok: true; claim: ActionClaim } | { ok: false; reason: string } {
  if (token.length > MAX_TOKEN) return { ok: false, reason: 'the token is too long' };
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return { ok: false, reason: 'not a token' };
  const want = mac(key, body);
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want))
    return { ok: false, reason: 'the token is not signed by this hub' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'the token is unreadable' };
  }
  const c = claimSchema.safeParse(parsed);
  if (!c.success) return { ok: false, reason: 'the token is unreadable' };
  if (c.data.exp <= now) return { ok: false, reason: 'the token has expired: open the console instead' };
  return { ok: true, claim: c.data };
}
