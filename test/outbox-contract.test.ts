// The uplink's outbox contract (test/contracts/outbox.ts), run against each implementation.
import { join } from 'node:path';
import { MemoryOutbox } from '../cloud-relay/uplink/memory-outbox.ts';
import { PUSH_QUEUE } from '../cloud-relay/uplink/push.ts';
import { Store } from '../gateway/store/store.ts';
import { type OutboxBackend, outboxContract } from './contracts/outbox.ts';
import { tempDir } from './helpers/tmp.ts';

function sqlite(path: string): OutboxBackend {
  const store = Store.open(path);
  return {
    outbox: store.outbox,
    pushes: store.outbox.queue(PUSH_QUEUE),
    commands: store.commands,
    reopen: () => {
      store.close();
      return sqlite(path);
    },
    close: () => store.close(),
  };
}

function memory(): OutboxBackend {
  const m = new MemoryOutbox();
  const backend: OutboxBackend = {
    outbox: m,
    pushes: m.queue(PUSH_QUEUE),
    commands: m.commands,
    reopen: () => backend,
    close: () => {},
  };
  return backend;
}

outboxContract('SQLite (gateway/store)', () => sqlite(join(tempDir(), 'hearth.db')));
outboxContract('memory (cloud-relay/uplink/memory-outbox.ts)', memory);
