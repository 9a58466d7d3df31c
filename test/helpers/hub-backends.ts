// The hub's store on both of its backends, for tests that hold every backend to one contract:
// the embedded SQLite file and a real PostgreSQL (a throwaway cluster of the tests' own).
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { openDb, sqliteTarget } from '../../cloud-relay/hub/db.ts';
import { parseIncoming } from '../../cloud-relay/hub/incoming.ts';
import { HubStore, type Received, type StoreEffects } from '../../cloud-relay/hub/store.ts';
import { type Postgres, startPostgres } from './postgres.ts';
import { tempDir } from './tmp.ts';

export type Backend = {
  name: string;
  /**
   * A new, empty, migrated store; `another` opens a second instance on the same database. `effects`:
   * what the hub writes beside an alert state (its pushes).
   */
  open: (effects?: StoreEffects) => Promise<{ store: HubStore; another: () => Promise<HubStore> }>;
  /** PostgreSQL: several instances claim work with SKIP LOCKED. */
  postgres: boolean;
};

/** Registers the hooks that start PostgreSQL once and close every store a test opened. */
export function hubBackends(): Backend[] {
  let pg: Postgres | undefined;
  let count = 0;
  const opened: HubStore[] = [];
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.stop());
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  const backend = (name: string, target: () => Promise<Parameters<typeof openDb>[0]>): Backend => ({
    name,
    postgres: name === 'PostgreSQL',
    async open(effects) {
      const t = await target();
      const make = async () => {
        const s = new HubStore(openDb(t).db, effects);
        opened.push(s);
        await s.migrate();
        return s;
      };
      return { store: await make(), another: make };
    },
  });
  return [
    backend('embedded SQLite', async () => sqliteTarget(join(tempDir('hearth-hub-store-'), 'db'))),
    backend('PostgreSQL', async () => {
      if (!pg) throw new Error('PostgreSQL did not start');
      return { kind: 'postgres', url: await pg.createDatabase(`hub_${process.pid}_${++count}`) };
    }),
  ];
}

/** A message as the receiver hands it to the store: parsed from its bytes on its topic. */
export function received(
  topic: string,
  m: object,
  receivedAt: number,
  o: { instance?: string; heartbeatMs?: number } = {},
): Received {
  const payload = Buffer.from(JSON.stringify(m));
  const p = parseIncoming(topic, payload);
  if (!p.ok) throw new Error(p.reason);
  return {
    incoming: p.incoming,
    topic,
    receivedAt,
    instance: o.instance ?? 'hub-a',
    defaultHeartbeatMs: o.heartbeatMs ?? 60_000,
  };
}

/** Supervision as a trust would set it: silent after 3 heartbeats, a clock 5 minutes out. */
export const SUPERVISION_LIMITS = {
  silentAfter: 3,
  clockSkewMs: 5 * 60_000,
  undeliveredAfterMs: 10 * 60_000,
  queueGrowing: 3,
  night: { from: 22, to: 7 },
  timezone: 'Europe/London',
  testMissingAfterMs: 26 * 3_600_000,
};
