// A resident's records at the hub, every kind of them, written the way the hub writes them: her
// home's messages through the store's receive path (alerts, a test call, a day, a night), pushes
// by the store's own effects, and what staff do (an acknowledgement, a note, a claim, views
// audited), for the data-rights tests.
import { acknowledge } from '../../cloud-relay/hub/ack.ts';
import { audit } from '../../cloud-relay/hub/audit.ts';
import { hubRef } from '../../cloud-relay/hub/call-tables.ts';
import { closeCall } from '../../cloud-relay/hub/calls.ts';
import { claimAlert } from '../../cloud-relay/hub/claims.ts';
import { consoleDb } from '../../cloud-relay/hub/console-tables.ts';
import { enqueueAlertsPushes, enqueueHubPushes } from '../../cloud-relay/hub/push-causes.ts';
import { pushDb, pushTx } from '../../cloud-relay/hub/push-tables.ts';
import { putRecord, recordDb } from '../../cloud-relay/hub/records.ts';
import { recordSchema } from '../../cloud-relay/hub/resident-record.ts';
import type { HubStore, StoreEffects } from '../../cloud-relay/hub/store.ts';
import { alertPayload, TEST_CALL_RULE } from '../../cloud-relay/protocol/messages.ts';
import { DEFAULT_OUTCOMES } from '../../config/calls-schema.ts';
import { received } from './hub-backends.ts';
import { alert, heartbeat, night, status, summary } from './hub-messages.ts';

export const MIN = 60_000;
export const DAY = 86_400_000;
const BASE = 'https://hub.example.org';

/** The pushes an alert or a hub alert causes, as the running hub writes them. */
export const PUSH_EFFECTS: StoreEffects = {
  alertsMoved: (t, moved, at) => enqueueAlertsPushes(pushTx(t), moved, at, BASE),
  hubAlertRaised: (t, a, at) => enqueueHubPushes(pushTx(t), a, at, BASE),
};

/** A carer of both residents and an operator, each with a phone to push to. */
export async function seedStaff(store: HubStore, residents: string[], now: number): Promise<void> {
  const db = consoleDb(store.db);
  const staff = (name: string, role: string) => ({
    name,
    role,
    password: 'not-a-hash',
    created_at: now,
    disabled: 0,
    push_url: `https://ntfy.example.org/${name}`,
  });
  await db
    .insertInto('staff')
    .values([staff('carer-1', 'carer'), staff('op-1', 'operator')])
    .execute();
  await db
    .insertInto('staff_residents')
    .values(residents.map((resident) => ({ staff: 'carer-1', resident })))
    .execute();
}

const testCall = (gw: string, r: string, id: string, at: number) => {
  const m = alert(gw, r, id, 'raised', at);
  return alertPayload({ ...m, id: `${gw}-${id}-test`, rule: TEST_CALL_RULE, severity: 'info' });
};

/**
 * Her records of one day, all dated about `t` (a tag keeps ids apart when seeded twice): a
 * ladder of one rung (so the alert climbs it), an alert raised, acknowledged and resolved, a
 * second one acknowledged from the hub (a command), a test call, a day and a night, a hub
 * alert, a refused message, a note, a claim, audit lines and her record at the trust.
 */
export async function seedResident(
  store: HubStore,
  o: { gw: string; r: string; t: number; tag: string; ladder?: boolean },
): Promise<void> {
  const { gw, r, t, tag } = o;
  const db = pushDb(store.db);
  const topic = (type: string) => `hearth/v1/${gw}/${type}`;
  await store.expectHomes([{ gateway: gw, resident: r, heartbeatMs: MIN }], t);
  if (o.ladder)
    await db
      .insertInto('ladder_rungs')
      .values({ resident: r, position: 0, kind: 'staff', target: 'carer-1', wait_min: 5 })
      .execute();
  await putRecord(
    recordDb(store.db),
    recordSchema.parse({
      resident: r,
      name: `Resident ${tag}`,
      address: '1 Orchard Row, Leeds',
      nextOfKin: [{ name: 'Jane', relation: 'daughter', phone: '07700 900123' }],
      responders: [],
    }),
    'admin-1',
    t,
  );
  await store.receive(received(topic('heartbeat'), heartbeat(gw, r, t), t));
  await store.receive(received(topic('status'), status(gw, r, 'online', t), t));
  const a = `fall-${tag}`;
  const b = `quiet-${tag}`;
  await store.receive(received(topic('alert'), alert(gw, r, a, 'raised', t), t + 1000));
  await store.receive(received(topic('alert'), alert(gw, r, b, 'raised', t + MIN), t + MIN));
  await acknowledge(
    { store, publish: async () => {}, now: () => t + 2 * MIN },
    { alertId: b, by: 'op-1', gateway: gw },
  );
  await store.receive(received(topic('alert'), alert(gw, r, a, 'acknowledged', t + 3 * MIN), t + 3 * MIN));
  await store.receive(received(topic('alert'), alert(gw, r, a, 'resolved', t + 9 * MIN), t + 9 * MIN));
  await store.receive(received(topic('alert'), testCall(gw, r, `test-${tag}`, t + 10 * MIN), t + 10 * MIN));
  const date = new Date(t).toISOString().slice(0, 10);
  await store.receive(received(topic('summary'), summary(gw, r, date, t + 11 * MIN), t + 11 * MIN));
  await store.receive(received(topic('night'), night(gw, r, date, t + 12 * MIN), t + 12 * MIN));
  await store.raiseHubAlert(
    {
      key: `gateway_silent/${gw}/${tag}`,
      gateway: gw,
      kind: 'gateway_silent',
      severity: 'high',
      reason: `${gw} silent`,
    },
    t + 13 * MIN,
    'hub-a',
  );
  await store.reject({
    key: `bad-${gw}-${tag}`,
    topic: topic('alert'),
    gateway: gw,
    payload: JSON.stringify({ resident: r, broken: true }),
    reason: 'not JSON of a version-1 alert',
    receivedAt: t + 14 * MIN,
    instance: 'hub-a',
  });
  const c = consoleDb(store.db);
  await c
    .insertInto('alert_notes')
    .values({
      id: `note-${gw}-${tag}`,
      gateway: gw,
      alert_id: a,
      staff: 'carer-1',
      at: t + 5 * MIN,
      note: 'Found on the floor, unhurt.',
    })
    .execute();
  await claimAlert(db, { gateway: gw, alertId: a, staff: 'carer-1' }, t + 4 * MIN);
  // A call closed with an outcome at the hub, and the hub's own alert about her home answered
  // there: both kept under the alert (the hub's under HUB_GATEWAY), both hers.
  const calls = { store, publish: async () => {}, outcomes: DEFAULT_OUTCOMES, now: () => t + 15 * MIN };
  await closeCall(calls, { ref: { gateway: gw, alertId: b }, outcome: 'false_alarm', by: 'op-1' });
  const silent = `gateway_silent/${gw}/${tag}`;
  await closeCall(calls, { ref: hubRef(silent), outcome: 'responder_sent', note: 'Power cut.', by: 'op-1' });
  await audit(c, { staff: 'carer-1', action: 'view-resident', resident: r, outcome: 'ok' }, t + 6 * MIN);
  // A line that names her home only (a refusal before the alert was known), not her.
  await audit(
    c,
    { staff: 'op-1', action: 'view-alert', target: `${gw}/${a}`, outcome: 'refused' },
    t + 7 * MIN,
  );
}
