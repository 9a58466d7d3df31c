// What every response of the console carries, whatever made it (a page, the JSON API, a static
// file, a 404, an error, a redirect, the event stream), and the check that keeps forms sent by
// other sites out, sign-in included: a session's CSRF token cannot guard the form that makes the
// session, and another site's page signing a carer into its own account would see what she does.
import type { FastifyInstance, FastifyRequest } from 'fastify';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/** A year: a browser that once reached the console over https never tries plain http again. */
const HSTS = 'max-age=31536000';

/** `https`: the request came over TLS, to this listener or to a trusted proxy that says so. */
export function securityHeaders(https: boolean): Record<string, string> {
  return {
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    ...(https ? { 'strict-transport-security': HSTS } : {}),
  };
}

const hostOf = (origin: string): string | null => {
  try {
    return new URL(origin).host;
  } catch {
    return null; // "null", sent from a sandboxed frame or after a cross-site redirect
  }
};

/**
 * Why a request that changes something is taken as sent by another site, or null. The browser's
 * Sec-Fetch-Site first; without it (plain http, an older browser) its Origin against the Host it
 * was sent to. A request with neither came from no browser, so no other site can have sent it
 * through a carer's. The rule of Go's net/http CrossOriginProtection.
 */
export function crossSite(req: FastifyRequest): string | null {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string')
    return site === 'same-origin' || site === 'none' ? null : `Sec-Fetch-Site: ${site}`;
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  return hostOf(origin) === req.host ? null : `Origin ${origin} is not ${req.host}`;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function secure(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => {
    if (SAFE_METHODS.has(req.method) || crossSite(req) === null) return;
    return reply
      .code(403)
      .type('text/plain; charset=utf-8')
      .send('Refused: this was sent from another site. Open the care console itself and try again.');
  });
  app.addHook('onSend', async (req, reply, payload) => {
    reply.headers(securityHeaders(req.protocol === 'https'));
    // Pages and API answers are about residents: kept by no cache unless a route says otherwise.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
