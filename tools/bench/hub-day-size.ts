// How much a trust's hub database grows: rows and bytes per home per day on PostgreSQL. A day of
// N homes is replayed through the store in time order, as the receiver would hand it over: a
// heartbeat a minute, a status, the night, the daily summary, the daily test call the hub itself
// acknowledges, and now and then a real alert a carer acknowledges. Two days: the first holds each
// home's one-off rows (its row in `homes`), the second is what every further day adds.
import { type Kysely, sql } from 'kysely';
import { acknowledge } from '../../cloud-relay/hub/ack.ts';
import { openDb } from '../../cloud-relay/hub/db.ts';
import { parseIncoming } from '../../cloud-relay/hub/incoming.ts';
import { HubStore, type Received } from '../../cloud-relay/hub/store.ts';
import type { HubDb } from '../../cloud-relay/hub/tables.ts';
import { HUB_ACKER } from '../../cloud-relay/hub/test-calls.ts';
import { envelope, TEST_CALL_RULE, validNight } from '../../cloud-relay/protocol/messages.ts';
import { topics } from '../../cloud-relay/protocol/topics.ts';
import { alert, heartbeat, status, summary, utcIso } from '../sim/home-messages.ts';
import { startPostgres } from '../testbed/pg-cluster.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const DAY0 = Date.parse('2026-03-02T00:00:00Z');
/** Messages per receiveBatch: about what the receiver gathers from a busy broker. */
const BATCH = 300;
/** Real alerts (raised, acknowledged by a carer, resolved) per home per day. */
const EPISODES_PER_HOME_DAY = 0.05;
/** Tables whose figures are reported one by one: those a day adds to, in any volume. */
const NAMED = [
  'message_ids',
  'alert_history',
  'alerts',
  'summaries',
  'nights',
  'test_calls',
  'commands',
  'fhir_outbox',
] as const;

/**
 * What the hub's retention deletes after a period (cloud-relay/hub/retention.ts: 30 days for the
 * ids, 90 for test calls and commands, 400 for days, nights and closed alerts); the rest is kept.
 */
const RETAINED = new Set([
  'message_ids',
  'rejected',
  'audit',
  'sessions',
  'summaries',
  'nights',
  'alerts',
  'alert_history',
  'test_calls',
  'commands',
  'fhir_outbox',
  'push_outbox',
]);

type At = { at: number; make: () => Received };

const gateway = (i: number) => `home-${String(i).padStart(5, '0')}`;
/** Homes spread over the minute: where in it home `i` sends. */
const offset = (i: number, homes: number) => Math.floor((i * MIN) / homes);

function receivedAt(topic: string, m: object, at: number): Received {
  const payload = Buffer.from(JSON.stringify(m));
  const p = parseIncoming(topic, payload);
  if (!p.ok) throw new Error(`a replayed message was refused: ${p.reason}`);
  return {
    incoming: p.incoming,
    topic,
    receivedAt: at,
    instance: 'hub-a',
    defaultHeartbeatMs: MIN,
  };
}

/** The night ending on `date`'s morning, as a home sends it once she is up. */
function night(gw: string, resident: string, date: string, at: number) {
  const evening = new Date(Date.parse(`${date}T00:00:00Z`) - DAY).toISOString().slice(0, 10);
  const bedtime = `${evening}T22:40:00+00:00`;
  const wake = `${date}T07:05:00+00:00`;
  return validNight({
    ...envelope({ type: 'night', id: `${gw}-night-${date}`, gateway: gw, resident, at: utcIso(at) }),
    date,
    over: true,
    sleep: {
      source: 'bed',
      confidence: 'high',
      slept: true,
      note: 'Slept through.',
      bedtime,
      wake,
      time_in_bed_min: 505,
      mid_sleep: null,
      out_of_bed: { count: 1, total_min: 4, longest_min: 4 },
      bathroom_visits: 1,
      restlessness: { bed_changes: 2, movement_min: 6 },
      heart_rate: null,
      in_bed: [{ from: bedtime, to: wake }],
    },
  });
}

function cmdResult(gw: string, resident: string, commandId: string, at: number) {
  return {
    ...envelope({ type: 'cmd_result', id: `${commandId}:result`, gateway: gw, resident, at: utcIso(at) }),
    command_id: commandId,
    command: 'ack',
    ok: true,
    detail: 'confirmed',
  };
}

/** Messages by the minute they arrive in, other than heartbeats. */
class Timeline {
  readonly #minutes = new Map<number, At[]>();
  #taken = -1;
  add(at: number, make: () => Received): void {
    const m = Math.floor(at / MIN);
    if (m <= this.#taken) throw new Error('a replayed message would arrive in a minute already replayed');
    const list = this.#minutes.get(m);
    if (list) list.push({ at, make });
    else this.#minutes.set(m, [{ at, make }]);
  }
  /** Takes a minute's messages, in time order. */
  take(minute: number): At[] {
    const list = this.#minutes.get(minute) ?? [];
    this.#minutes.delete(minute);
    this.#taken = minute;
    return list;
  }
  get pending(): number {
    return this.#minutes.size;
  }
}

/** What the hub acknowledges, or a carer, once the alert's raise is stored. */
type AckDue = { gw: string; alertId: string; by: string; at: number };

/** One day of `homes` homes, from `start`: replayed through `store` in batches, in time order. */
async function replayDay(store: HubStore, homes: number, day: number): Promise<void> {
  const start = DAY0 + day * DAY;
  const date = new Date(start).toISOString().slice(0, 10);
  const line = new Timeline();
  const acks = new Map<string, AckDue>();
  for (let i = 0; i < homes; i++) {
    const gw = gateway(i);
    const r = `r-${gw}`;
    // Their daily messages spread over an hour.
    const off = offset(i, homes);
    const spread = (i % 60) * MIN + off;
    line.add(start + off, () =>
      receivedAt(topics.status(gw), status(gw, r, 'online', start + off), start + off),
    );
    const nightAt = start + 7 * 60 * MIN + spread;
    line.add(nightAt, () => receivedAt(topics.night(gw), night(gw, r, date, nightAt), nightAt));
    const testAt = start + 10 * 60 * MIN + spread;
    const testId = `${gw}-test-${date}`;
    line.add(testAt, () =>
      receivedAt(
        topics.alert(gw),
        { ...alert(gw, r, testId, 'raised', testAt), rule: TEST_CALL_RULE, severity: 'info' },
        testAt,
      ),
    );
    acks.set(`${gw}/${testId}`, { gw, alertId: testId, by: HUB_ACKER, at: testAt + 1000 });
    const summaryAt = start + 22 * 60 * MIN + spread;
    line.add(summaryAt, () => receivedAt(topics.summary(gw), summary(gw, r, date, summaryAt), summaryAt));
  }
  // Real alerts: 0.05 episodes per home per day, each home in turn, in the afternoon.
  const episodes = Math.round(homes * EPISODES_PER_HOME_DAY);
  for (let k = 0; k < episodes; k++) {
    const i = (k * Math.round(1 / EPISODES_PER_HOME_DAY) + day * 7) % homes;
    const gw = gateway(i);
    const r = `r-${gw}`;
    const id = `${gw}-a-${date}-${k}`;
    const at = start + 14 * 60 * MIN + k * 7 * MIN;
    line.add(at, () => receivedAt(topics.alert(gw), alert(gw, r, id, 'raised', at), at));
    acks.set(`${gw}/${id}`, { gw, alertId: id, by: `carer-${k % 7}`, at: at + 2 * MIN });
  }

  const raisedIn = (batch: Received[]) =>
    batch.flatMap((x) =>
      x.incoming.type === 'alert' && x.incoming.msg.state === 'raised'
        ? [acks.get(`${x.incoming.msg.gateway}/${x.incoming.msg.alert_id}`)]
        : [],
    );
  /** Acknowledges what was just raised; the home's answer and its later states join the timeline. */
  const acknowledgeAll = async (due: (AckDue | undefined)[]) => {
    for (const a of due) {
      if (!a) continue;
      acks.delete(`${a.gw}/${a.alertId}`);
      const res = await acknowledge(
        { store, now: () => a.at, publish: async () => {} },
        { alertId: a.alertId, by: a.by, gateway: a.gw },
      );
      if (!res.ok) throw new Error(`acknowledging ${a.alertId}: ${res.reason}`);
      const r = `r-${a.gw}`;
      const answer = a.at + MIN;
      line.add(answer, () =>
        receivedAt(topics.commandResult(a.gw), cmdResult(a.gw, r, res.commandId, answer), answer),
      );
      const stateMsg = (state: 'acknowledged' | 'resolved', at: number) => {
        const m = alert(a.gw, r, a.alertId, state, at);
        return a.by === HUB_ACKER ? { ...m, rule: TEST_CALL_RULE, severity: 'info' } : m;
      };
      line.add(answer + 1000, () =>
        receivedAt(topics.alert(a.gw), stateMsg('acknowledged', answer + 1000), answer + 1000),
      );
      const resolved = a.at + (a.by === HUB_ACKER ? 2 * MIN : 30 * MIN);
      line.add(resolved, () => receivedAt(topics.alert(a.gw), stateMsg('resolved', resolved), resolved));
    }
  };

  let batch: Received[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const results = await store.receiveBatch(batch);
    const refused = results.find((x) => x.refused);
    if (refused) throw new Error(`the store refused a replayed message: ${refused.refused}`);
    const due = raisedIn(batch);
    batch = [];
    await acknowledgeAll(due);
  };
  const first = Math.floor(start / MIN);
  for (let m = first; m < first + 1440 || line.pending > 0; m++) {
    // Each home's heartbeat is made as its minute comes: a day's are too many to hold at once.
    const beats: At[] =
      m < first + 1440
        ? Array.from({ length: homes }, (_, i) => {
            const gw = gateway(i);
            const at = m * MIN + offset(i, homes);
            return { at, make: () => receivedAt(topics.heartbeat(gw), heartbeat(gw, `r-${gw}`, at, 0), at) };
          })
        : [];
    for (const x of [...beats, ...line.take(m)].sort((a, b) => a.at - b.at)) {
      batch.push(x.make());
      if (batch.length >= BATCH) await flush();
    }
    // A raise waiting to be acknowledged is stored by the minute's end, as the receiver's batches
    // are within a second: the acknowledgement and the home's answer come in the minutes after.
    if (raisedIn(batch).some((a) => a)) await flush();
  }
  await flush();
}

type Sizes = Map<string, { rows: number; bytes: number }>;

/** Each table's rows and bytes (with its indexes and TOAST), vacuumed first so dead rows are not counted. */
async function sizes(db: Kysely<HubDb>): Promise<Sizes> {
  await sql`vacuum analyze`.execute(db);
  const tables = await sql<{ name: string; bytes: number }>`
    select c.relname as name, pg_total_relation_size(c.oid)::float8 as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r'`.execute(db);
  const out: Sizes = new Map();
  for (const t of tables.rows) {
    const counted = await sql<{ n: number }>`select count(*)::float8 as n from ${sql.table(t.name)}`.execute(
      db,
    );
    out.set(t.name, { rows: Number(counted.rows[0]?.n ?? 0), bytes: Number(t.bytes) });
  }
  return out;
}

/** What a day added, per home: each table's and the whole's. */
function perHome(before: Sizes, after: Sizes, homes: number) {
  const tables = new Map<string, { rows: number; bytes: number }>();
  for (const [name, a] of after) {
    const b = before.get(name) ?? { rows: 0, bytes: 0 };
    tables.set(name, { rows: (a.rows - b.rows) / homes, bytes: (a.bytes - b.bytes) / homes });
  }
  const sum = (pick: (v: { rows: number; bytes: number }, name: string) => number) =>
    [...tables].reduce((s, [name, v]) => s + pick(v, name), 0);
  return {
    tables,
    rows: sum((v) => v.rows),
    bytes: sum((v) => v.bytes),
    /** What no retention period ever deletes: the growth a trust keeps for good. */
    keptBytes: sum((v, name) => (RETAINED.has(name) ? 0 : v.bytes)),
  };
}

/**
 * Rows and bytes per home per day, for 1,000 homes (quick: 100), on `url` (a new, empty database)
 * or on a PostgreSQL cluster of its own.
 */
export async function measureHubDaySize(
  opts: { quick?: boolean; url?: string } = {},
): Promise<Record<string, number>> {
  const homes = opts.quick ? 100 : 1_000;
  const pg = opts.url ? undefined : await startPostgres({ durable: true });
  try {
    const url = opts.url ?? (await (pg as NonNullable<typeof pg>).createDatabase('hub_day_size'));
    const store = new HubStore(openDb({ kind: 'postgres', url }).db);
    try {
      await store.migrate();
      const empty = await sizes(store.db);
      await replayDay(store, homes, 0);
      const one = await sizes(store.db);
      await replayDay(store, homes, 1);
      const two = await sizes(store.db);
      const first = perHome(empty, one, homes);
      const day = perHome(one, two, homes);
      const f: Record<string, number> = {
        hub_pg_day_size_homes: homes,
        hub_pg_rows_per_home_first_day: first.rows,
        hub_pg_bytes_per_home_first_day: first.bytes,
        hub_pg_rows_per_home_day: day.rows,
        hub_pg_bytes_per_home_day: day.bytes,
        hub_pg_bytes_per_home_day_kept: day.keptBytes,
      };
      for (const name of NAMED) {
        const t = day.tables.get(name);
        if (!t) throw new Error(`the hub's database has no table ${name}`);
        f[`hub_pg_rows_per_home_day_${name}`] = t.rows;
        f[`hub_pg_bytes_per_home_day_${name}`] = t.bytes;
      }
      f.hub_pg_rows_per_home_first_day_homes = first.tables.get('homes')?.rows ?? 0;
      return f;
    } finally {
      await store.close();
    }
  } finally {
    await pg?.stop();
  }
}
