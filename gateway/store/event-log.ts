// The event log: every accepted reading, kept for storage.keep_events and read back by time (the
// daily summaries) and by device (the last reading of each, for the status).
import type { Event } from '../../core/reading.ts';
import { isStorageFault } from './held.ts';
import { repository } from './repository.ts';

export type StoredEvent = Event & { id: number };

type EventRow = {
  id: number;
  at: number;
  device: string;
  kind: string;
  value: string;
  room: string | null;
  facts: string | null;
};

const SQL = {
  insert:
    'INSERT INTO events (at, device, kind, value, room, facts) VALUES (@at, @device, @kind, @value, @room, @facts)',
  between: 'SELECT * FROM events WHERE at >= ? AND at < ? ORDER BY at, id',
  // The newest readings of the kinds that say where she is, at most a bound: what her routine is
  // learned from (gateway/routine/), in reverse; the caller turns them round.
  movementNewest: `SELECT * FROM events WHERE at >= ? AND at < ?
    AND kind IN ('motion', 'presence', 'contact', 'bed', 'chair', 'button', 'fall', 'steps')
    ORDER BY at DESC, id DESC LIMIT ?`,
  lastOf: 'SELECT * FROM events WHERE device = ? ORDER BY at DESC, id DESC LIMIT 1',
  prune: 'DELETE FROM events WHERE at < ?',
};

export class EventLog extends repository(SQL) {
  append(e: Event): void {
    const row = {
      at: e.at,
      device: e.device,
      kind: e.kind,
      value: JSON.stringify(e.value),
      room: e.room,
      facts: e.facts ? JSON.stringify(e.facts) : null,
    };
    this.uow.write({ run: () => this.sql.insert.run(row), event: true });
  }

  /** Events with from <= at < to, in time order. */
  between(from: number, to: number): StoredEvent[] {
    return (this.sql.between.all(from, to) as EventRow[]).map(toEvent);
  }

  /**
   * Readings of the kinds the home model reads, from <= at < to, in time order; at most `limit`,
   * the newest, and whether more were left out.
   */
  movementBetween(from: number, to: number, limit: number): { events: StoredEvent[]; capped: boolean } {
    const rows = this.sql.movementNewest.all(from, to, limit + 1) as EventRow[];
    const capped = rows.length > limit;
    return { events: rows.slice(0, limit).reverse().map(toEvent), capped };
  }

  lastOf(device: string): StoredEvent | undefined {
    const row = this.sql.lastOf.get(device) as EventRow | undefined;
    return row ? toEvent(row) : undefined;
  }

  /** Deletes raw events older than `before`; returns how many went. */
  prune(before: number): number {
    try {
      return this.sql.prune.run(before).changes;
    } catch (err) {
      // A delete needs a little room in the WAL too; retention tries again at its next turn.
      if (isStorageFault(err)) return 0;
      throw err;
    }
  }
}

function toEvent(r: EventRow): StoredEvent {
  return {
    id: r.id,
    at: r.at,
    device: r.device,
    kind: r.kind as Event['kind'],
    value: JSON.parse(r.value) as Event['value'],
    room: r.room,
    role: null,
    ...(r.facts ? { facts: JSON.parse(r.facts) } : {}),
  };
}
