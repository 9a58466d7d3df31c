// The hub's receipt, end to end (README: the relay to the trust): a real gateway relay (receipts
// on) drains 1,000 alert states through a real Mosquitto (TLS, an ACL per user) to a real hub on
// PostgreSQL. Halfway, the hub falls behind (its store made to wait, as a slow database would) and
// the trust's Mosquitto is SIGKILLed and started again without its persistence file: everything
// it had acknowledged to the home and not yet handed to the hub is gone. The home still holds
// each of those (no receipt), sends it again with the same id, and the hub stores every alert
// state exactly once. The home sends again only what no receipt had named.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Hub } from '../cloud-relay/hub/hub.ts';
import { startHub } from '../cloud-relay/hub/hub.ts';
import type { Received } from '../cloud-relay/hub/store.ts';
import { type AlertState, topics } from '../cloud-relay/protocol/messages.ts';
import { RealClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { type NewOutboxRow, Store } from '../gateway/store/store.ts';
import { alert } from './helpers/hub-messages.ts';
import { linkedHomeConfig, linkedHubConfig } from './helpers/linked-home.ts';
import { tempDir } from './helpers/tmp.ts';
import { trustRig } from './helpers/trust-rig.ts';
import { until } from './helpers/until.ts';

const GW = 'gw-receipt';
const R = 'r-receipt';
const STATES: AlertState[] = ['raised', 'acknowledged', 'resolved'];
const TOTAL = 1_000;
/** The hub stores this many alert states, then waits (falls behind) until the broker is killed. */
const STORED_BEFORE_KILL = 400;

const rig = trustRig(GW);
const HOME = { gateway: GW, resident: R };

/** 1,000 alert states, each alert raised, acknowledged and resolved in turn (the last raised only). */
function alertStates(now: number): NewOutboxRow[] {
  return Array.from({ length: TOTAL }, (_, i) => {
    const m = alert(GW, R, `a${Math.floor(i / 3)}`, STATES[i % 3] as AlertState, now + i);
    return { id: m.id, topic: topics.alert(GW), type: 'alert', payload: JSON.stringify(m), created_at: now };
  });
}

async function hubOn(url: string, dir: string): Promise<Hub> {
  const { config, file } = linkedHubConfig(dir, rig, HOME, {
    hub: { instance: 'receipts', timezone: 'Europe/London' },
    database: { url },
  });
  return startHub({
    config,
    configFile: file,
    log: createLogger({ level: 'silent' }),
    supervisionTimer: false,
    // One message at a time: the backlog stays at the broker, where its death loses it.
    intake: { maxBatch: 1, maxQueued: 1, maxBytes: 1 << 20 },
  });
}

async function homeOn(dir: string, seen: { resent: string[]; receipted: Set<string>; wrong: string[] }) {
  const config = await linkedHomeConfig(dir, rig, HOME);
  return startGateway({
    config,
    log: createLogger({ level: 'silent' }),
    clock: new RealClock(),
    bluetoothSysfs: dir,
    // Short waits, so that the test sees them pass; the defaults are a minute, doubling.
    relayLimits: { receiptWaitMs: 6_000, receiptWaitCapMs: 12_000, resendEveryMs: 500 },
    relayHooks: {
      onResent: (row) => {
        if (seen.receipted.has(row.id)) seen.wrong.push(row.id);
        seen.resent.push(row.id);
      },
      onReceipt: (ids) => {
        for (const id of ids) seen.receipted.add(id);
      },
    },
  });
}

describe("the hub's receipt", () => {
  it('brings every alert state to the hub exactly once through a broker killed without its persistence file', async () => {
    const dir = tempDir('hearth-receipts-');
    const { broker, db } = rig;
    const url = await db.createDatabase('receipts_kill');
    const sql = new pg.Client({ connectionString: url });
    await sql.connect();
    const count = async (q: string) => Number((await sql.query(q)).rows[0].n);
    let hub: Hub | undefined;
    let gw: Gateway | undefined;
    try {
      hub = await hubOn(url, dir);
      // The hub falls behind after STORED_BEFORE_KILL alert states, as on a slow database.
      let release = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      let alerts = 0;
      const store = hub.store;
      const receive = store.receiveBatch.bind(store);
      // A batch is stored up to the alert that would be one too many; the rest waits.
      store.receiveBatch = async (batch: readonly Received[]) => {
        const cut = batch.findIndex((m) => m.incoming.type === 'alert' && ++alerts > STORED_BEFORE_KILL);
        if (cut < 0) return receive(batch);
        const before = cut > 0 ? await receive(batch.slice(0, cut)) : [];
        await held;
        return [...before, ...(await receive(batch.slice(cut)))];
      };
      const rows = alertStates(Date.now());
      const home = Store.open(join(dir, 'hearth.db'));
      home.transaction(() => {
        for (const row of rows) home.outbox.add(row);
      });
      home.close();
      const seen = { resent: [] as string[], receipted: new Set<string>(), wrong: [] as string[] };
      gw = await homeOn(dir, seen);
      const outbox = (gw as Gateway).store.outbox;
      // Every state is at the trust broker (none left to drain), and the hub has only some of them.
      await until('the whole backlog taken by the broker', () => outbox.peekAfter(0, 1).length === 0, 30_000);
      await until('the hub behind', () => alerts > STORED_BEFORE_KILL, 30_000);
      const receiptedBeforeKill = new Set(seen.receipted);
      const resentBeforeKill = seen.resent.length;
      const awaitingAtKill = outbox.receipts().awaiting;
      expect(awaitingAtKill).toBeGreaterThan(0);

      await broker.kill();
      rmSync(join(broker.dir, 'data'), { recursive: true, force: true });
      mkdirSync(join(broker.dir, 'data'));
      await broker.start();
      release();

      await until('every receipt at the home', () => outbox.stats().rows === 0, 90_000);
      const states = await count(`select count(*) as n from alert_history where gateway = '${GW}'`);
      const distinct = await count(
        `select count(distinct alert_id || ' ' || state) as n from alert_history where gateway = '${GW}'`,
      );
      const ids = await count(
        `select count(*) as n from message_ids where gateway = '${GW}' and id not like '%-status-%'`,
      );
      expect({ states, distinct, ids }).toEqual({ states: TOTAL, distinct: TOTAL, ids: TOTAL });
      expect(await count("select count(*) as n from alerts where state not in ('resolved', 'raised')")).toBe(
        0,
      );
      // Sent again: only what no receipt had named, none of what the hub had receipted before the kill.
      // (A busy machine can make the hub slower than the home's wait: what it sends again before
      // the kill is still what no receipt had named by then.)
      expect(seen.wrong).toEqual([]);
      const afterKill = new Set(seen.resent.slice(resentBeforeKill));
      expect([...afterKill].filter((id) => receiptedBeforeKill.has(id))).toEqual([]);
      expect(afterKill.size).toBeGreaterThan(0);
      const resentIds = new Set(seen.resent);
      expect(seen.receipted.size).toBe(TOTAL);
      expect(gw.counters.get('relay.receipted')).toBe(TOTAL);
      console.info(
        `receipts: ${TOTAL} alert states, ${states} in the hub's database (${ids} ids, each once); at the kill ${receiptedBeforeKill.size} receipted and ${awaitingAtKill} awaiting a receipt; the home sent ${resentIds.size} again (${seen.resent.length} sends, ${afterKill.size} after the kill), the hub dropped ${hub.receiver.counters.duplicates} repeats`,
      );
    } finally {
      await gw?.stop();
      await hub?.stop();
      await sql.end().catch(() => {});
    }
  }, 150_000);
});
