// Each day's bundle to the care record, on both hub backends: queued with the summary that caused
// it, sent as a FHIR transaction to a record that validates it against the official R4 schema,
// read back from there; retried with a growing wait while the record is down; a refusal kept,
// with the record's words, for admins, and not sent again until a newer summary of the day.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteTarget } from '../cloud-relay/hub/db.ts';
import { FhirSender, fhirRefusals } from '../cloud-relay/hub/fhir-sender.ts';
import { fhirDb } from '../cloud-relay/hub/fhir-tables.ts';
import { summaries } from '../cloud-relay/hub/queries.ts';
import type { HubStore } from '../cloud-relay/hub/store.ts';
import type { FhirBundle } from '../cloud-relay/protocol/fhir.ts';
import { createLogger } from '../core/log.ts';
import { consoleRig, cookieOf, folder, send, signIn } from './helpers/console-rig.ts';
import { type FhirRecord, startFhirRecord } from './helpers/fhir-record.ts';
import { hubBackends, received } from './helpers/hub-backends.ts';
import { summary } from './helpers/hub-messages.ts';

const GW = 'gw-1';
const R = 'r-1';
const T0 = Date.parse('2026-03-02T10:00:00Z');
const topic = `hearth/v1/${GW}/summary`;
const BACKENDS = hubBackends();

let record: FhirRecord | undefined;
afterEach(() => record?.stop());

function rig(store: HubStore, r: FhirRecord, from = T0) {
  let now = from;
  const sender = new FhirSender({
    db: store.db,
    log: createLogger({ level: 'silent' }),
    now: () => now,
    url: r.url,
  });
  const queue = () => fhirDb(store.db).selectFrom('fhir_outbox').selectAll().orderBy('date').execute();
  return { sender, queue, advance: (ms: number) => (now += ms) };
}

describe.each(BACKENDS)('FHIR to the care record ($name)', (backend) => {
  it("sends a day's bundle as a transaction the record accepts, and it reads back from there", async () => {
    const { store } = await backend.open();
    record = await startFhirRecord([R]);
    const { sender, queue } = rig(store, record);
    await store.receive(received(topic, summary(GW, R, '2026-03-02', T0), T0));
    expect((await queue()).map((q) => [q.date, q.sent_at])).toEqual([['2026-03-02', null]]);

    expect(await sender.runNow()).toEqual({ accepted: 1, refused: 0, retried: 0 });
    expect(record.schemaErrors).toEqual([]);
    const bundle = JSON.parse((await summaries(store.db, R))[0]?.fhir ?? '{}') as FhirBundle;
    expect(bundle.entry.length).toBeGreaterThan(5);
    for (const e of bundle.entry) {
      const back = await fetch(`${record.url}/Observation/${e.resource.id}`);
      expect(back.status).toBe(200);
      expect(await back.json()).toEqual(e.resource);
    }
    const sleep = bundle.entry.find((e) => e.resource.code.coding?.[0]?.code === '93832-4')?.resource;
    expect(sleep).toMatchObject({ valueQuantity: { value: 415, code: 'min' } });
    expect((await queue())[0]).toMatchObject({ sent_at: T0, attempts: 1, refused_at: null });
    // Sent once: the next pass has nothing to do.
    expect(await sender.runNow()).toEqual({ accepted: 0, refused: 0, retried: 0 });
    expect(record.transactions).toBe(1);
  });

  it('retries while the record is down, 30 s then doubling, until it accepts; a newer summary of the day updates it there', async () => {
    const { store } = await backend.open();
    record = await startFhirRecord([R]);
    const { sender, queue, advance } = rig(store, record);
    await store.receive(received(topic, summary(GW, R, '2026-03-02', T0), T0));
    record.down = true;
    expect(await sender.runNow()).toEqual({ accepted: 0, refused: 0, retried: 1 });
    expect((await queue())[0]).toMatchObject({ attempts: 1, next_at: T0 + 30_000, sent_at: null });
    expect((await queue())[0]?.last_error).toMatch(/^HTTP 503: error transient: the record is down/);
    advance(29_000);
    expect(await sender.runNow()).toEqual({ accepted: 0, refused: 0, retried: 0 });
    advance(1_000);
    expect(await sender.runNow()).toEqual({ accepted: 0, refused: 0, retried: 1 });
    expect((await queue())[0]).toMatchObject({ attempts: 2, next_at: T0 + 30_000 + 60_000 });
    record.down = false;
    advance(60_000);
    expect(await sender.runNow()).toEqual({ accepted: 1, refused: 0, retried: 0 });
    const count = record.stored.size;

    // The day asked for again: the same Observations are updated, not a second set added.
    await store.receive(received(topic, summary(GW, R, '2026-03-02', T0 + 60_000, 'again'), T0 + 120_000));
    expect((await queue())[0]).toMatchObject({ message_id: 'again', sent_at: null, attempts: 0 });
    advance(60_000);
    expect(await sender.runNow()).toEqual({ accepted: 1, refused: 0, retried: 0 });
    expect(record.stored.size).toBe(count);
    expect(record.transactions).toBe(2);
  });

  it('keeps a refusal with the record’s words for admins, and offers the day again a day later', async () => {
    const { store } = await backend.open();
    record = await startFhirRecord([]);
    const { sender, advance } = rig(store, record);
    await store.receive(received(topic, summary(GW, R, '2026-03-02', T0), T0));
    expect(await sender.runNow()).toEqual({ accepted: 0, refused: 1, retried: 0 });
    const [refused] = await fhirRefusals(store.db);
    expect(refused).toMatchObject({ resident: R, date: '2026-03-02', refused_at: T0, attempts: 1 });
    expect(refused?.refusal).toBe(
      'error processing: Bundle.entry[0].resource.subject: no patient with identifier urn:hearth:resident|r-1',
    );
    // Not sent again within the day; a day later, refused again while the record does not know her.
    advance(86_399_000);
    expect(await sender.runNow()).toEqual({ accepted: 0, refused: 0, retried: 0 });
    advance(1_000);
    expect(await sender.runNow()).toEqual({ accepted: 0, refused: 1, retried: 0 });
    expect(record.transactions).toBe(0);

    // The record learns the resident: a newer summary of the day goes at once, and the refusal is gone.
    record.residents.add(R);
    await store.receive(received(topic, summary(GW, R, '2026-03-02', T0 + 60_000, 'again'), T0 + 86_400_000));
    expect(await fhirRefusals(store.db)).toEqual([]);
    expect(await sender.runNow()).toEqual({ accepted: 1, refused: 0, retried: 0 });
    expect(record.transactions).toBe(1);
  });
});

describe('a record that answers without end', () => {
  it('is read for 64 KiB at most: the refusal is kept (HTTP 422), and the sender does not wait on the rest', async () => {
    // 422, then an OperationOutcome that never closes: a body without end, a byte at a time.
    const server = createServer((_req, res) => {
      res.writeHead(422, { 'content-type': 'application/fhir+json' });
      res.write(`{"resourceType":"OperationOutcome","issue":[{"diagnostics":"${'x'.repeat(70_000)}`);
      const drip = setInterval(() => res.write('x'), 5);
      res.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    const backend = BACKENDS[0] as (typeof BACKENDS)[number];
    const { store } = await backend.open();
    try {
      const sender = new FhirSender({
        db: store.db,
        log: createLogger({ level: 'silent' }),
        now: () => T0,
        url: `http://127.0.0.1:${port}`,
      });
      await store.receive(received(topic, summary(GW, R, '2026-03-02', T0), T0));
      expect(await sender.runNow()).toEqual({ accepted: 0, refused: 1, retried: 0 });
      expect((await fhirRefusals(store.db))[0]?.refusal).toBe('HTTP 422');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('the console shows admins the days the record refused', () => {
  it('to an admin, in the record’s words, with the days still waiting; to a carer, nothing', async () => {
    const c = await consoleRig(sqliteTarget(join(folder('hearth-fhir-console-'), 'db')));
    record = await startFhirRecord([]);
    const { sender } = rig(c.store, record);
    await c.store.receive(received(topic, summary(GW, R, '2026-03-02', T0), T0));
    await c.store.receive(received('hearth/v1/gw-2/summary', summary('gw-2', 'r-2', '2026-03-02', T0), T0));
    record.down = true;
    await sender.runNow();
    record.down = false;
    // r-2's day waits for its retry; r-1's is refused when its turn comes.
    const ada = cookieOf(await signIn(c.base, 'ada'));
    const carl = cookieOf(await signIn(c.base, 'carl'));
    let page = await send(`${c.base}/admin/fhir`, { headers: { cookie: ada } });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(
      /data-fhir-waiting="2">2 days waiting to be sent, the oldest queued .*; last attempt: HTTP 503: error transient: the record is down for maintenance\./,
    );
    record.down = false;
    const later = rig(c.store, record, T0 + 60_000);
    await later.sender.runNow();
    page = await send(`${c.base}/admin/fhir`, { headers: { cookie: ada } });
    expect(page.body).toContain('data-fhir-waiting="0">Every day has been sent.');
    expect(page.body).toMatch(
      /data-fhir-refused="r-1\/2026-03-02">.*<td>error processing: Bundle\.entry\[0\]\.resource\.subject: no patient with identifier urn:hearth:resident\|r-1<\/td>/,
    );
    expect(page.body).toContain('data-fhir-refused="r-2/2026-03-02"');
    expect(page.body).toContain('href="/admin/fhir"');
    const refused = await send(`${c.base}/admin/fhir`, { headers: { cookie: carl } });
    expect(refused.status).toBe(403);
    expect(refused.body).not.toContain('r-1/2026-03-02');
  });
});
