// The trust's parts for a test file: a throwaway PKI, a real Mosquitto (TLS, an ACL per user) for
// the gateway `gatewayId`, and (unless told not to) a PostgreSQL cluster, started before the
// file's tests and removed after them.
import { afterAll, beforeAll } from 'vitest';
import { type Mosquitto, makePki, mosquitto, type Pki } from './mosquitto.ts';
import { type Postgres, startPostgres } from './postgres.ts';

export type TrustRig = { pki: Pki; broker: Mosquitto; db: Postgres };

/** Registers the hooks; the parts are there once beforeAll has run. */
export function trustRig(gatewayId: string, o: { postgres?: boolean } = {}): TrustRig {
  const rig = {} as TrustRig;
  beforeAll(async () => {
    rig.pki = makePki(gatewayId);
    rig.broker = await mosquitto(rig.pki, gatewayId);
    await rig.broker.start();
    if (o.postgres !== false) rig.db = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await rig.broker?.remove();
    await rig.db?.stop();
    rig.pki?.remove();
  });
  return rig;
}
