// Versioned, forward-only schema migrations. Append; never edit a migration that has shipped.
export type Migration = { version: number; name: string; sql: string };

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'event log, rule state, outbox',
    sql: `
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        device TEXT NOT NULL,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        room TEXT,
        facts TEXT
      );
      CREATE INDEX events_at ON events(at);
      CREATE INDEX events_device_at ON events(device, at);
      CREATE TABLE rule_state (
        rule TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        wake_at INTEGER,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        topic TEXT NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX outbox_topic ON outbox(topic, seq);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'commands from the trust, by id',
    sql: `
      CREATE TABLE commands (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        result TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX outbox_type ON outbox(type, seq);
    `,
  },
  {
    version: 3,
    name: 'daily summaries (the baselines of the next ones) and the alert log they count',
    sql: `
      CREATE TABLE summaries (
        date TEXT PRIMARY KEY,
        summary TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE alert_log (
        at INTEGER NOT NULL,
        alert_id TEXT NOT NULL,
        rule TEXT NOT NULL,
        state TEXT NOT NULL
      );
      CREATE INDEX alert_log_at ON alert_log(at);
    `,
  },
  {
    version: 4,
    name: 'queues of the outbox: NULL the one the relay drains to the trust, a name for another',
    // The pushes to carers an earlier Hearth queued (type push, beside the trust's messages and
    // skipped by the relay) move to a queue of their own, the one the pusher now names 'push'.
    sql: `
      ALTER TABLE outbox ADD COLUMN queue TEXT;
      UPDATE outbox SET queue = 'push' WHERE type = 'push';
      CREATE INDEX outbox_queue ON outbox(queue, seq);
    `,
  },
  {
    version: 5,
    name: "the version of each rule's state (NULL: written before states had versions, version 1)",
    sql: 'ALTER TABLE rule_state ADD COLUMN version INTEGER;',
  },
  {
    version: 6,
    name: 'care modes, span by span (the learner leaves their days out)',
    // ended_at is NULL while the mode is on; until is when it was set to end by itself.
    sql: `
      CREATE TABLE mode_spans (
        id INTEGER PRIMARY KEY,
        mode TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        until INTEGER NOT NULL,
        ended_at INTEGER,
        set_by TEXT NOT NULL,
        source TEXT NOT NULL
      );
      CREATE INDEX mode_spans_started ON mode_spans(started_at);
    `,
  },
  {
    version: 7,
    name: "messages kept until the hub's receipt: when each goes again (NULL: not yet at the broker)",
    // attempts (from version 1, unused until now) counts how many times a message has been sent.
    sql: `
      ALTER TABLE outbox ADD COLUMN retry_at INTEGER;
      CREATE INDEX outbox_awaiting ON outbox(retry_at) WHERE retry_at IS NOT NULL;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
