// Two hub instances on one MQTT 5 shared subscription (broker.share) and one PostgreSQL: each
// message goes to one of them, so they share the work; one home's messages are then applied by
// both, in whatever order their batches commit. What the care team sees must be what the home
// sent last: each alert's state and, for presses of the same state, the newest press's words.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { type Hub, startHub } from '../cloud-relay/hub/hub.ts';
import { listenLive } from '../cloud-relay/hub/live-listen.ts';
import { alertPayload, envelope, topics } from '../cloud-relay/protocol/messages.ts';
import { type HubConfigInput, hubConfigSchema } from '../config/hub-schema.ts';
import { createLogger } from '../core/log.ts';
import { tempDir } from './helpers/tmp.ts';
import { trustRig } from './helpers/trust-rig.ts';
import { until } from './helpers/until.ts';

const GW = 'gw-shared';
const R = 'r-shared';
const ALERTS = 150;
const PRESSES = 3;
const T0 = Date.parse('2026-03-02T10:00:00Z');

const rig = trustRig(GW);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Press `press` of help alert `n`: the same state, newer words (another room). */
const press = (n: number, k: number, state: 'raised' | 'resolved' = 'raised') =>
  JSON.stringify(
    alertPayload({
      ...envelope({
        type: 'alert',
        id: `${GW}-a${n}-${state}-${k}`,
        gateway: GW,
        resident: R,
        at: new Date(T0 + n * 60_000 + k * 1_000).toISOString(),
      }),
      alert_id: `a${n}`,
      rule: 'help_button',
      state,
      severity: 'urgent',
      reason: `Help button pressed (press ${k}).`,
    }),
  );

async function instance(dir: string, url: string, name: string): Promise<Hub> {
  const { pki, broker } = rig;
  const input: HubConfigInput = {
    version: 1,
    hub: { instance: name, timezone: 'Europe/London' },
    broker: { url: broker.url, ca: pki.ca, cert: pki.trust.cert, key: pki.trust.key, share: true },
    database: { url },
    web: { host: '127.0.0.1', port: 0 },
    homes: { expected: [{ gateway: GW, resident: R }], signatures: 'off' },
  };
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(input));
  const h = await startHub({
    config: hubConfigSchema.parse(input),
    configFile: file,
    log: createLogger({ level: 'silent' }),
    supervisionTimer: false,
  });
  cleanups.push(() => h.stop());
  return h;
}

describe('hub instances sharing one subscription', () => {
  it('share the work, and leave each alert as the home last said it, however their batches interleave', async () => {
    const dir = tempDir('hearth-hub-shared-');
    const url = await rig.db.createDatabase('hub_shared');
    const a = await instance(dir, url, 'a');
    const b = await instance(dir, url, 'b');
    const { pki, broker } = rig;
    const home = await mqtt.connectAsync(broker.url, {
      clientId: `hearth-${GW}`,
      ca: readFileSync(pki.ca),
      cert: readFileSync(pki.gateway.cert),
      key: readFileSync(pki.gateway.key),
      protocolVersion: 5,
    });
    cleanups.push(() => home.endAsync());
    // A backlog drained at once, as a home back from an outage sends it: every press of every
    // alert, then the resolution of every other one.
    const sent: Promise<unknown>[] = [];
    for (let n = 0; n < ALERTS; n++)
      for (let k = 1; k <= PRESSES; k++)
        sent.push(home.publishAsync(topics.alert(GW), press(n, k), { qos: 1 }));
    for (let n = 0; n < ALERTS; n += 2)
      sent.push(home.publishAsync(topics.alert(GW), press(n, PRESSES + 1, 'resolved'), { qos: 1 }));
    await Promise.all(sent);
    const total = ALERTS * PRESSES + ALERTS / 2;
    await until(
      'every message stored',
      () => a.receiver.counters.stored + b.receiver.counters.stored >= total,
      60_000,
    );
    // Shared: each took part, and no message reached both.
    expect(a.receiver.counters.stored).toBeGreaterThan(0);
    expect(b.receiver.counters.stored).toBeGreaterThan(0);
    expect(a.receiver.counters.duplicates + b.receiver.counters.duplicates).toBe(0);
    const sql = new pg.Client({ connectionString: url });
    await sql.connect();
    cleanups.push(() => sql.end());
    const rows = (await sql.query('select alert_id, state, reason from alerts')).rows as {
      alert_id: string;
      state: string;
      reason: string;
    }[];
    const wrong = rows.filter((r) => {
      const n = Number(r.alert_id.slice(1));
      return n % 2 === 0
        ? r.state !== 'resolved'
        : r.state !== 'raised' || r.reason !== `Help button pressed (press ${PRESSES}).`;
    });
    console.info(
      `shared: ${a.receiver.counters.stored} and ${b.receiver.counters.stored} stored by the two instances in ${a.receiver.intake.batches} and ${b.receiver.intake.batches} batches; ${wrong.length} of ${ALERTS} alerts not as last sent`,
    );
    expect(rows).toHaveLength(ALERTS);
    expect(wrong).toEqual([]);
    const history = await sql.query('select count(*)::int as n from alert_history');
    expect(history.rows[0].n).toBe(total);
  });

  it("tells an instance's pages of what another instance stored", async () => {
    const dir = tempDir('hearth-hub-shared-live-');
    const url = await rig.db.createDatabase('hub_shared_live');
    // Instance a again: b, stopped, still holds a share of the group's messages for its session's
    // two minutes, so a takes every other one.
    const a = await instance(dir, url, 'a');
    // What instance b's pages are told: b listens as every instance on PostgreSQL does.
    const heard: string[] = [];
    const listening = listenLive(pg, url, (kinds) => heard.push(...kinds), createLogger({ level: 'silent' }));
    cleanups.push(() => listening.stop());
    const { pki, broker } = rig;
    const home = await mqtt.connectAsync(broker.url, {
      clientId: `hearth-${GW}-live`,
      ca: readFileSync(pki.ca),
      cert: readFileSync(pki.gateway.cert),
      key: readFileSync(pki.gateway.key),
      protocolVersion: 5,
    });
    cleanups.push(() => home.endAsync());
    await listening.ready;
    for (let n = 0; n < 4; n++) await home.publishAsync(topics.alert(GW), press(1000 + n, 1), { qos: 1 });
    await until('the alert stored by a', () => a.receiver.counters.stored >= 1, 10_000);
    await until('the notice heard by the other instance', () => heard.includes('alert'), 10_000);
    expect(heard).toContain('alert');
  });
});
