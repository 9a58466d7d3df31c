// The home's side of the hub's receipts (relay.receipts), against an in-process aedes broker
// playing the trust and the test playing the hub, on a simulated clock: what the broker took waits
// for its receipt; a receipt removes what it names; a bad one is refused and counted; what waits
// too long goes again, at most a pass's worth at a time, each wait longer than the last; and an
// alert the hub never confirms is "cannot confirm delivery" in the home until its receipt comes.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DeliveryState, Relay } from '../cloud-relay/uplink/relay.ts';
import { retryAt } from '../cloud-relay/uplink/relay-deps.ts';
import { SimClock } from '../core/clock.ts';
import { Counters } from '../core/counters.ts';
import { createLogger } from '../core/log.ts';
import { Zone } from '../core/zone.ts';
import { render } from '../gateway/cli/status.ts';
import { statusReport } from '../gateway/status-report.ts';
import { Store } from '../gateway/store/store.ts';
import { homeConfig } from './helpers/simulate.ts';
import { tempDir } from './helpers/tmp.ts';
import { observedTrust } from './helpers/trust-broker.ts';
import { until } from './helpers/until.ts';

const GW = 'gw-receipts';
const MINUTE = 60_000;
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const alertRow = (i: number, at: number) => ({
  id: `${GW}-a${i}:raised`,
  topic: `hearth/v1/${GW}/alert`,
  type: 'alert',
  payload: JSON.stringify({ v: 1, id: `${GW}-a${i}:raised`, alert_id: `a${i}`, state: 'raised' }),
  created_at: at,
});

describe('receipts in the home', () => {
  it('waits for, takes and refuses receipts; sends again a pass at a time; says when it cannot confirm delivery', async () => {
    const obs = await observedTrust((fn) => closers.push(fn));
    const { port } = obs;
    const base = homeConfig('help_button: {}');
    const config = {
      ...base,
      gateway: { ...base.gateway, id: GW },
      relay: {
        url: `mqtt://127.0.0.1:${port}`,
        queue: { max_rows: 500_000, max_bytes: 268_435_456 },
        summary_format: 'json' as const,
        alert_undelivered_after: 2 * MINUTE,
        receipts: true,
        alert_unconfirmed_after: 10 * MINUTE,
      },
    };
    const store = Store.open(join(tempDir(), 'h.db'));
    closers.push(() => store.close());
    const clock = new SimClock(Date.parse('2026-03-02T10:00:00Z'));
    const t0 = clock.now();
    store.transaction(() => {
      for (let i = 0; i < 150; i++) store.outbox.add(alertRow(i, t0));
      // Heartbeats need no receipt: done at the PUBACK.
      store.outbox.add({
        ...alertRow(999, t0),
        id: 'hb',
        topic: `hearth/v1/${GW}/heartbeat`,
        type: 'heartbeat',
      });
    });
    const states: DeliveryState[] = [];
    const counters = new Counters();
    const relay = new Relay({
      config,
      outbox: store.outbox,
      commandLog: store.commands,
      clock,
      zone: new Zone('Europe/London'),
      log: createLogger({ level: 'silent' }),
      counters,
      version: 'test',
      commands: { ack: () => ({ ok: false, detail: 'no alerts here' }) },
      onDelivery: (s) => states.push(s),
    });
    closers.push(() => relay.stop());
    relay.start();
    await until('connected', () => relay.connected);
    await until('every alert at the broker', () => store.outbox.receipts().awaiting === 150);
    expect(store.outbox.stats()).toMatchObject({ rows: 150, oldestAlertAt: null });

    const receipt = (payload: string) =>
      obs.client.publishAsync(`hearth/v1/${GW}/receipt`, payload, { qos: 1 });
    const ids = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => `${GW}-a${from + i}:raised`);
    await receipt(JSON.stringify({ v: 1, ids: ids(0, 20) }));
    await until('the receipt taken', () => store.outbox.receipts().awaiting === 130);
    // Not JSON, too many ids, an id too long, an unknown key: refused, counted, nothing removed.
    await receipt('not json');
    await receipt(JSON.stringify({ v: 1, ids: ids(20, 221) }));
    await receipt(JSON.stringify({ v: 1, ids: ['x'.repeat(129)] }));
    await receipt(JSON.stringify({ v: 1, ids: ids(20, 21), more: true }));
    await until('four refusals', () => counters.get('relay.receipt_refused') === 4);
    expect(store.outbox.receipts().awaiting).toBe(130);

    // hearth status says how many wait for a receipt, and since when.
    const report = statusReport({
      reader: store.status,
      path: ':memory:',
      config,
      zone: new Zone('Europe/London'),
      now: clock.now(),
    });
    expect(report.queue).toMatchObject({
      depth: 130,
      awaiting_receipt: 130,
      oldest_awaiting_receipt: '2026-03-02T10:00:00+00:00',
    });
    expect(render({ running: true, note: null, sources: [], delivery: null, report })).toContain(
      "receipts     130 messages at the trust broker awaiting the hub's receipt, the oldest from 2026-03-02 10:00",
    );
    const sends = () => obs.got.filter((g) => g.topic.endsWith('/alert')).length;
    const first = sends();
    expect(first).toBe(150);
    // A minute after the PUBACK with no receipt: 100 go again in one pass, the other 30 in the next.
    clock.advance(MINUTE);
    await until('the first pass', () => sends() === first + 100);
    expect(counters.get('relay.resent')).toBe(100);
    clock.advance(10_000);
    await until('the second pass', () => sends() === first + 130);
    // Each went with the id it had, and nothing receipted went again.
    const again = obs.got.filter((g) => g.topic.endsWith('/alert')).slice(first);
    expect(new Set(again.map((g) => g.msg.id))).toEqual(new Set(ids(20, 150)));
    // The next wait is twice the first: nothing more goes for the next 110 s (the passes run on
    // the simulated clock, within advance).
    clock.advance(100_000);
    expect(counters.get('relay.resent')).toBe(130);
    expect(store.outbox.due(clock.now(), 1000)).toEqual([]);
    expect(retryAt(0, 2, { receiptWaitMs: MINUTE, receiptWaitCapMs: 30 * MINUTE })).toBe(2 * MINUTE);
    expect(retryAt(0, 10, { receiptWaitMs: MINUTE, receiptWaitCapMs: 30 * MINUTE })).toBe(30 * MINUTE);

    // Ten minutes after they were queued, no receipt: the home cannot confirm delivery.
    expect(states.some((s) => s.unconfirmed)).toBe(false);
    clock.advanceTo(t0 + 10 * MINUTE);
    await until('cannot confirm delivery', () => states.at(-1)?.unconfirmed === true);
    expect(states.at(-1)).toMatchObject({ undelivered: false, oldestUnconfirmedAlertAgeS: 600 });
    expect(states.at(-1)?.reason).toMatch(/hub has not confirmed storing it/);
    // The trust hears it too, on the retained status.
    await until('the status at the trust', () =>
      obs.got.some(
        (g) =>
          g.topic.endsWith('/status') &&
          g.msg.awaiting_receipt === 130 &&
          g.msg.oldest_awaiting_receipt_s === 600,
      ),
    );
    await receipt(JSON.stringify({ v: 1, ids: ids(20, 150) }));
    await until('all receipted', () => store.outbox.stats().rows === 0);
    clock.advance(10_000);
    await until('confirmed again', () => states.at(-1)?.unconfirmed === false);
    expect(counters.get('relay.receipted')).toBe(150);
  });
});
