// Many simulated gateways for the hub's load and kill tests: the homes simulator of
// tools/sim over TLS, with the test PKI's files.
import { readFileSync } from 'node:fs';
import { type Homes, startHomes } from '../../tools/sim/homes.ts';

export type FleetOptions = {
  url: string;
  ca: string;
  cert: string;
  key: string;
  count: number;
  heartbeatMs: number;
  batch?: number;
};

export type Fleet = Homes;

export function startFleet(o: FleetOptions): Promise<Fleet> {
  return startHomes({ ...o, ca: readFileSync(o.ca), cert: readFileSync(o.cert), key: readFileSync(o.key) });
}
