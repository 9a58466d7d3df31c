// The ntfy channel: a POST to the person's own ntfy-compatible topic URL (push-plan.ts's
// ntfyRequest), answered within 10 s. Any 2xx is delivered; anything else is a failure to retry.
import { ntfyRequest } from './push-plan.ts';
import type { PushTransport } from './push-sender.ts';

const TIMEOUT_MS = 10_000;

export function ntfyTransport(fetchFn: typeof fetch = fetch): PushTransport {
  return async (_row, p) => {
    const r = ntfyRequest(p);
    if (!r.url) return { ok: false, error: 'no ntfy topic URL' };
    const res = await fetchFn(r.url, {
      method: 'POST',
      headers: r.headers,
      body: r.body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    // The body is not wanted: cancelled, not read, which frees the connection whatever its size.
    await res.body?.cancel().catch(() => undefined);
    return res.ok ? { ok: true } : { ok: false, error: `HTTP ${res.status}` };
  };
}
