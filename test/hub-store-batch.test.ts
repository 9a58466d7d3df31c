// The hub stores what arrives in batches, one transaction each. A batch must leave every table
// as its messages would have one by one: each alert's state and history, each home's heartbeat
// figures (queue growth, clock skew), summaries, repeats dropped, a resident claimed by a second
// gateway refused. Held to that on both backends with a seeded mix of messages, cut into batches
// of every size from one to the whole stream.
import { describe, expect, it } from 'vitest';
import type { HubStore, Received, ReceiveResult } from '../cloud-relay/hub/store.ts';
import { hubBackends, received } from './helpers/hub-backends.ts';
import { alert, heartbeat, status, summary } from './helpers/hub-messages.ts';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const MIN = 60_000;
const STATES = ['raised', 'escalated', 'acknowledged', 'resolved'] as const;

/** A small seeded generator (mulberry32): the same stream on every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Five homes' messages over an hour: heartbeats with queues, alerts in and out of order, repeats. */
function stream(seed: number): Received[] {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
  const out: Received[] = [];
  for (let k = 0; k < 300; k++) {
    const at = T0 + k * 12_000;
    const h = Math.floor(rnd() * 5);
    const gw = `gw-${h}`;
    // Home 4 claims home 0's resident: refused, every time.
    const r = h === 4 ? 'r-0' : `r-${h}`;
    const x = rnd();
    // A clock hours out on home 3: skew counted only from heartbeats spaced apart.
    const homeAt = h === 3 ? at - 3 * 3_600_000 : at;
    if (x < 0.45)
      out.push(
        received(`hearth/v1/${gw}/heartbeat`, heartbeat(gw, r, homeAt, Math.floor(rnd() * 4)), at, {
          heartbeatMs: MIN,
        }),
      );
    else if (x < 0.8) {
      const m = alert(gw, r, `a${Math.floor(rnd() * 3)}`, pick(STATES), at - Math.floor(rnd() * 5) * MIN);
      out.push(received(`hearth/v1/${gw}/alert`, m, at));
    } else if (x < 0.88)
      out.push(
        received(`hearth/v1/${gw}/status`, status(gw, r, pick(['online', 'offline'] as const), at), at),
      );
    else if (x < 0.95)
      out.push(received(`hearth/v1/${gw}/summary`, summary(gw, r, '2026-03-01', at, `${gw}-s-${k}`), at));
    else if (out.length) out.push({ ...(out[Math.floor(rnd() * out.length)] as Received), receivedAt: at });
  }
  return out;
}

/** Everything a message changes, in an order that does not depend on how it was written. */
async function tables(store: HubStore) {
  const all = async (
    name: 'homes' | 'alerts' | 'alert_history' | 'summaries' | 'message_ids' | 'residents',
  ) => (await store.db.selectFrom(name).selectAll().execute()).map((row) => JSON.stringify(row)).sort();
  return {
    homes: await all('homes'),
    alerts: await all('alerts'),
    history: await all('alert_history'),
    summaries: await all('summaries'),
    ids: await all('message_ids'),
    residents: await all('residents'),
  };
}

const BACKENDS = hubBackends();
const alertOf = (r: ReceiveResult) => (r.duplicate ? undefined : r.alert);

describe.each(BACKENDS)('hub batches on $name', (backend) => {
  it('leave every table as the same messages one by one would, whatever the batch size', async () => {
    const messages = stream(7);
    const { store: single } = await backend.open();
    const oneByOne = [];
    for (const m of messages) oneByOne.push(await single.receive(m));
    const want = await tables(single);
    // The stream exercises what it claims to: refusals, repeats, moves and non-moves.
    expect(oneByOne.filter((r) => r.refused).length).toBeGreaterThan(10);
    expect(oneByOne.filter((r) => r.duplicate).length).toBeGreaterThan(5);
    expect(oneByOne.filter((r) => alertOf(r)?.moved === false).length).toBeGreaterThan(5);
    expect(want.homes.some((h) => /"clock_skew_count":[1-9]/.test(h))).toBe(true);
    expect(want.homes.some((h) => /"queue_growth":[1-9]/.test(h))).toBe(true);
    for (const size of [2, 7, 50, messages.length]) {
      const { store: batched } = await backend.open();
      const results = [];
      for (let i = 0; i < messages.length; i += size)
        results.push(...(await batched.receiveBatch(messages.slice(i, i + size))));
      expect(await tables(batched), `batches of ${size}`).toEqual(want);
      // Each message's own answer: refused and duplicate as alone; an alert's state as alone.
      expect(
        results.map((r) => [r.duplicate, r.refused ?? null, alertOf(r)?.state ?? null]),
        `batches of ${size}`,
      ).toEqual(oneByOne.map((r) => [r.duplicate, r.refused ?? null, alertOf(r)?.state ?? null]));
    }
  });
});
