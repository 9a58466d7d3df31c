// The local status on hearth/local/status has a schema: what the running gateway publishes fits
// it, byte for byte as the schema orders it, and what does not fit is refused with a reason.
import { describe, expect, it } from 'vitest';
import { topics } from '../cloud-relay/protocol/messages.ts';
import { checkLocalStatus, type LocalStatus, readLocalStatus } from '../gateway/local-status.ts';
import { runningHome } from './helpers/running-home.ts';

const status: LocalStatus = {
  v: 1,
  at: '2026-03-02T07:31:00+00:00',
  sources: [{ source: 'local-mqtt', devices: ['hall-motion'], present: true, detail: 'publishing' }],
  queue_depth: 0,
  delivery: {
    undelivered: false,
    oldest_alert_age_s: null,
    unconfirmed: false,
    oldest_unconfirmed_alert_age_s: null,
    reason: null,
  },
  clock: { time_zone: 'Europe/London', wall_clock_jumps: 0 },
  counters: { 'readings.accepted': 3 },
  report_error: 'database is locked',
};

describe('the local status', () => {
  it('is what the running gateway publishes, retained and on request, in the order of its schema', async () => {
    const h = await runningHome();
    try {
      const c = await h.connect();
      const got: Buffer[] = [];
      const fresh = new Promise<void>((resolve) =>
        c.on('message', (_t, payload, packet) => {
          got.push(payload);
          if (!packet.retain) resolve();
        }),
      );
      await c.subscribeAsync(topics.localStatus);
      await c.publishAsync(topics.localStatusRequest, '');
      await fresh;
      for (const payload of got) {
        const read = readLocalStatus(payload);
        expect(read).toMatchObject({ ok: true });
        if (!read.ok) continue;
        expect(payload.toString()).toBe(JSON.stringify(read.status));
        expect(read.status.report).toMatchObject({ gateway: 'gw-0042', storage: { failing: null } });
        expect(read.status.sources.length).toBeGreaterThan(0);
      }
    } finally {
      await h.stop();
    }
  });

  it('accepts a status whose report could not be read, and puts its keys in the schema order', () => {
    const shuffled = Object.fromEntries(Object.entries(status).reverse());
    const r = checkLocalStatus(shuffled);
    expect(r).toEqual({ ok: true, status });
    if (r.ok) expect(Object.keys(r.status)).toEqual(Object.keys(status));
  });

  it('refuses garbage with a reason, never a throw', () => {
    for (const garbage of ['7', 'null', '{"report":', '[[[[[[', 'not json', '[]', '"status"', '{}'])
      expect(readLocalStatus(Buffer.from(garbage))).toMatchObject({ ok: false, reason: expect.any(String) });
    expect(readLocalStatus(Buffer.from(`${'['.repeat(6000)}${']'.repeat(6000)}`)).ok).toBe(false);
    expect(readLocalStatus(Buffer.alloc(2 * 1024 * 1024, 0x20)).ok).toBe(false);
    const wrong: [string, unknown][] = [
      ['v', 2],
      ['queue_depth', -1],
      ['at', '2026-02-31T25:61:61+00:00'],
      ['sources', [{ source: 'ble', devices: 'all', present: true, detail: '' }]],
      ['delivery', { undelivered: 'no', oldest_alert_age_s: null, reason: null }],
      ['report', { gateway: 'gw-0042' }],
      ['extra', true],
    ];
    for (const [key, value] of wrong) {
      const r = checkLocalStatus({ ...status, [key]: value });
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.reason).toMatch(new RegExp(`^not a local status: ${key}|^not a local status: payload`));
    }
    expect(checkLocalStatus({ ...status, report_error: undefined, sources: undefined }).ok).toBe(false);
  });
});
