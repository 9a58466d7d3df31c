// The local broker the home's MQTT devices and tools talk to, opened before the sources that
// subscribe to it; and the credential for tools on the Pi, written beside the database.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { Counters } from '../../core/counters.ts';
import type { Logger } from '../../core/log.ts';
import { type LocalBroker, startBroker } from '../broker/broker.ts';
import type { Opening } from './part.ts';

export function openLocalBroker(o: {
  config: Config;
  log: Logger;
  counters: Counters;
  clock: Clock;
  storePath: string;
  /** Replaces local_broker.listen (the demo and tests take a free port: 0). */
  listen?: { host: string; port: number }[];
}): Opening<LocalBroker> {
  const { config, log, counters, clock, listen } = o;
  const brokerConfig = listen
    ? {
        ...config,
        local_broker: { ...config.local_broker, listen: listen.map((l) => ({ ...l, websocket: false })) },
      }
    : config;
  return {
    name: 'local broker',
    open: async () => {
      const broker = await startBroker({ config: brokerConfig, log, counters, clock });
      writeCredential(o.storePath, broker, log);
      return broker;
    },
    close: (broker) => broker.stop(),
  };
}

/**
 * The local broker's credential for the gateway's own user, beside the database and readable
 * by its owner only, for tools on the Pi (hearth status, a dashboard). A new one at every start.
 */
function writeCredential(storePath: string, broker: LocalBroker, log: Logger): void {
  if (storePath === ':memory:') return;
  const addr = broker.addresses()[0];
  const file = join(dirname(storePath), 'local-broker.json');
  try {
    writeFileSync(file, JSON.stringify({ ...broker.credential, host: addr?.host, port: addr?.port }), {
      mode: 0o600,
    });
  } catch (err) {
    // A full disk: the gateway runs without it; only `hearth status` goes without an answer.
    log.warn({ err: (err as Error).message, file }, 'cannot write the credential for local tools');
  }
}
