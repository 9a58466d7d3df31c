// A home speaks only for itself, whatever the trust's broker allows. Against a real Mosquitto whose
// ACL lets every certificate write and read every home's topics (the wall missing), one home's
// certificate cannot get a message accepted for another home, and the hub says so; a gateway
// obeys only commands signed by the hub; and the hub's probe notices the missing wall at start.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listAlerts } from '../../cloud-relay/hub/queries.ts';
import { signMessage } from '../../cloud-relay/protocol/signature.ts';
import { startHearth } from '../helpers/cli.ts';
import { homeFile } from '../helpers/home-file.ts';
import { alert } from '../helpers/hub-messages.ts';
import { testHub } from '../helpers/hub-rig.ts';
import { type Mosquitto, makePki, mosquitto, OPEN_ACL, type Pki, TRUST_ACL } from '../helpers/mosquitto.ts';
import { signedAs } from '../helpers/signed.ts';
import { tempDir } from '../helpers/tmp.ts';
import { until } from '../helpers/until.ts';

const A = 'gw-0042'; // the reference home's gateway, so `hearth run` can play it
const B = 'gw-b';
const T0 = Date.parse('2026-03-02T10:00:00Z');

let pki: Pki;
let open: Mosquitto;
let strict: Mosquitto;
beforeAll(async () => {
  pki = makePki(A, [B, 'hearth-acl-probe']);
  open = await mosquitto(pki, A, { acl: OPEN_ACL });
  strict = await mosquitto(pki, A, { acl: TRUST_ACL });
  await Promise.all([open.start(), strict.start()]);
});
afterAll(async () => {
  await open?.remove();
  await strict?.remove();
  pki?.remove();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

let instances = 0;
const hub = (broker: Mosquitto, o: { probe?: boolean } = {}) =>
  testHub(broker, pki, (fn) => cleanups.push(fn), {
    edit: (c) => ({
      ...c,
      broker: { ...c.broker, ...(o.probe ? { probe: pki.more['hearth-acl-probe'] } : {}) },
      homes: {
        expected: [
          { gateway: A, resident: 'r-a' },
          { gateway: B, resident: 'r-b' },
        ],
      },
    }),
  });

async function client(broker: Mosquitto, id: string, pair = pki.gateway): Promise<MqttClient> {
  const c = await mqtt.connectAsync(broker.url, {
    clientId: `${id}-${++instances}`,
    ca: readFileSync(pki.ca),
    cert: readFileSync(pair.cert),
    key: readFileSync(pair.key),
    protocolVersion: 5,
    reconnectPeriod: 0,
  });
  cleanups.push(() => c.endAsync(true));
  return c;
}

const hubAlertsOf = (h: Awaited<ReturnType<typeof hub>>['h'], kind: string) =>
  h.store.db.selectFrom('hub_alerts').selectAll().where('kind', '=', kind).execute();

describe('signed messages, with a broker that lets every certificate write every topic', () => {
  it("gw-b's certificate cannot get a message accepted for gw-0042; the refusal and its alert are visible at the hub", async () => {
    const { h } = await hub(open);
    const b = await client(open, 'home-b', pki.more[B]);
    const topic = `hearth/v1/${A}/alert`;
    const forge = (id: string) => JSON.stringify(alert(A, 'r-a', id, 'raised', T0));
    // Signed by gw-b, with gw-b's own certificate.
    await b.publishAsync(topic, forge('f1'), signedAs(pki.more[B] ?? pki.gateway)(topic, forge('f1')));
    // Not signed at all.
    await b.publishAsync(topic, forge('f2'), { qos: 1 });
    // Signed by gw-b's key but carrying gw-0042's certificate.
    const withA = signedAs(pki.gateway)(topic, forge('f3')).properties.userProperties;
    const bKey = createPrivateKey(readFileSync(pki.more[B]?.key ?? ''));
    await b.publishAsync(topic, forge('f3'), {
      qos: 1,
      properties: { userProperties: { ...withA, sig: signMessage(topic, forge('f3'), bKey) } },
    });
    // A certificate named gw-0042 from a CA the trust does not know.
    await b.publishAsync(topic, forge('f4'), signedAs(pki.stranger)(topic, forge('f4')));
    await until('four refusals', () => h.receiver.counters.rejected >= 4);
    expect(await listAlerts(h.store.db)).toEqual([]);
    const reasons = (await h.store.db.selectFrom('rejected').select('reason').execute())
      .map((r) => r.reason)
      .sort();
    expect(reasons).toEqual([
      expect.stringMatching(/^its signature does not match/),
      expect.stringMatching(/^not signed/),
      expect.stringMatching(/^signed by a certificate the trust's CA \(homes.ca\) did not issue/),
      `signed by the certificate of ${B}, not of ${A}`,
    ]);
    const [raised] = await hubAlertsOf(h, 'signature_refused');
    expect(raised).toMatchObject({
      gateway: A,
      severity: 'high',
      reason: expect.stringContaining(`Messages for ${A} signed by someone else were refused`),
    });
    // The real home still gets through.
    const a = await client(open, 'home-a');
    await a.publishAsync(topic, forge('real'), signedAs(pki.gateway)(topic, forge('real')));
    await until('the real alert stored', () => h.receiver.counters.stored >= 1);
    expect((await listAlerts(h.store.db)).map((x) => [x.gateway, x.alert_id])).toEqual([[A, 'real']]);
  });

  it("the hub's ACL probe finds the open broker at start, loudly, and finds nothing wrong with the strict one", async () => {
    const loose = await hub(open, { probe: true });
    await until('the probe raised its alert', () => loose.log().includes("THE TRUST BROKER'S ACL IS OPEN"));
    expect(loose.log()).toMatch(/may publish on and read the commands or receipts of another home's topics/);
    let raised: Awaited<ReturnType<typeof hubAlertsOf>>[number] | undefined;
    for (let i = 0; !raised && i < 100; i++) {
      [raised] = await hubAlertsOf(loose.h, 'broker_acl');
      if (!raised) await new Promise((r) => setTimeout(r, 50));
    }
    expect(raised).toMatchObject({ gateway: 'trust-broker', severity: 'high' });
    const tight = await hub(strict, { probe: true });
    await until('the probe done', () => tight.log().includes('trust broker ACL checked'));
    expect(await hubAlertsOf(tight.h, 'broker_acl')).toEqual([]);
    expect(tight.h.receiver.counters.rejected).toBe(0);
  });
});

describe("a gateway obeys only the hub's signed commands", () => {
  it('refuses an unsigned command and one signed by another home; answers the hub-signed ping', async () => {
    const dir = tempDir('hearth-gw-sig-');
    const { file, env } = await homeFile(dir, (t) =>
      t.replace(
        /^relay:\n(?: {2}.*\n)+/m,
        [
          'relay:',
          `  url: ${open.url}`,
          `  ca: ${pki.ca}`,
          `  cert: ${pki.gateway.cert}`,
          `  key: ${pki.gateway.key}`,
          `  hub_cert: ${pki.trust.cert}`,
          '',
        ].join('\n'),
      ),
    );
    const gw = startHearth(['run', '--config', file], env);
    cleanups.push(() => gw.child.exitCode === null && gw.child.kill('SIGKILL'));
    const trust = await client(open, 'trust', pki.trust);
    const b = await client(open, 'home-b', pki.more[B]);
    const results = new Map<string, Record<string, unknown>>();
    await trust.subscribeAsync(`hearth/v1/${A}/cmd-result`, { qos: 1 });
    trust.on('message', (_t, payload) => {
      const m = JSON.parse(payload.toString()) as Record<string, unknown>;
      results.set(String(m.command_id), m);
    });
    await gw.waitFor(/relay: connected/);
    const topic = `hearth/v1/${A}/cmd/ping`;
    const hubKey = createPrivateKey(readFileSync(pki.trust.key));
    const bKey = createPrivateKey(readFileSync(pki.more[B]?.key ?? ''));
    const ping = (id: string) => JSON.stringify({ v: 1, id });
    const hubPing = (id: string) =>
      trust.publishAsync(topic, ping(id), {
        qos: 1,
        properties: { userProperties: { sig: signMessage(topic, ping(id), hubKey) } },
      });
    // "connected" is logged before the gateway's subscription is in place: ping until it answers.
    for (let i = 0; !results.has(`c-first-${i - 1}`) && i < 100; i++) {
      await hubPing(`c-first-${i}`);
      await until('an answer or a moment', () => results.size > 0, 200).catch(() => undefined);
    }
    results.clear();
    await trust.publishAsync(topic, ping('c-unsigned'), { qos: 1 });
    await b.publishAsync(topic, ping('c-by-b'), {
      qos: 1,
      properties: { userProperties: { sig: signMessage(topic, ping('c-by-b'), bKey) } },
    });
    await hubPing('c-hub');
    await until(
      'three answers',
      () => ['c-unsigned', 'c-by-b', 'c-hub'].every((id) => results.has(id)),
      15_000,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\n${gw.output()}`);
    });
    expect(results.get('c-unsigned')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/not signed by the hub/),
    });
    expect(results.get('c-by-b')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/not from a hub certificate/),
    });
    expect(results.get('c-hub')).toMatchObject({ ok: true, detail: 'pong' });
  });
});
