// Each rule's state (and the home's) as the engine last wrote it, with the version of its shape
// and the instant it asked to be woken at: what a restart resumes from. A state written before
// states had versions (by Hearth 0.1.0) is of version 1.
import { repository } from './repository.ts';

type Row = { rule: string; state: string; wake_at: number | null; version: number | null };

/** A rule's state as stored: its JSON as written, nothing checked (the engine checks it). */
export type StoredRuleState = { rule: string; json: string; version: number; wakeAt: number | null };

const SQL = {
  get: 'SELECT state, wake_at FROM rule_state WHERE rule = ?',
  all: 'SELECT rule, state, wake_at, version FROM rule_state',
  put: 'INSERT INTO rule_state (rule, state, wake_at, updated_at, version) VALUES (?, ?, ?, ?, ?) ON CONFLICT(rule) DO UPDATE SET state = excluded.state, wake_at = excluded.wake_at, updated_at = excluded.updated_at, version = excluded.version',
  count: 'SELECT count(*) AS n FROM rule_state',
};

export class RuleStates extends repository(SQL) {
  get<T>(rule: string): { state: T; wakeAt: number | null } | undefined {
    const row = this.sql.get.get(rule) as Pick<Row, 'state' | 'wake_at'> | undefined;
    return row ? { state: JSON.parse(row.state) as T, wakeAt: row.wake_at } : undefined;
  }

  all(): StoredRuleState[] {
    return (this.sql.all.all() as Row[]).map((r) => ({
      rule: r.rule,
      json: r.state,
      version: r.version ?? 1,
      wakeAt: r.wake_at,
    }));
  }

  put(rule: string, state: unknown, wakeAt: number | null, now: number, version = 1): void {
    const json = JSON.stringify(state);
    this.uow.write({ run: () => this.sql.put.run(rule, json, wakeAt, now, version), rule });
  }

  /** A real read, for the health check: throws when the database does not answer. */
  count(): number {
    return (this.sql.count.get() as { n: number }).n;
  }
}
