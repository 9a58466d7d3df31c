// Care modes, span by span: when each began, until when it was set, when it ended and who set it.
// Written by the engine in the unit that changed the mode (with the mode's own state), read by the
// daily summary (the day's modes), `hearth status` and whatever learns her routine: a day spent in
// a mode is not one of her usual days (modeSpans, and gateway/modes/spans.ts for the days).
import type { CareModeName } from '../../cloud-relay/protocol/messages.ts';
import type { ModeSource } from '../modes/state.ts';
import { repository } from './repository.ts';

export type ModeSpan = {
  mode: CareModeName;
  from: number;
  /** When it ended; while it is on, when it is set to end. */
  to: number;
  /** Still on (as last written): `to` is its until. */
  on: boolean;
  by: string;
  source: ModeSource;
};

type Row = {
  mode: CareModeName;
  started_at: number;
  until: number;
  ended_at: number | null;
  set_by: string;
  source: ModeSource;
};

const SQL = {
  begin: 'INSERT INTO mode_spans (mode, started_at, until, set_by, source) VALUES (?, ?, ?, ?, ?)',
  end: 'UPDATE mode_spans SET ended_at = ? WHERE ended_at IS NULL',
  between: `SELECT mode, started_at, until, ended_at, set_by, source FROM mode_spans
            WHERE started_at < ? AND coalesce(ended_at, until) > ? ORDER BY started_at, id`,
};

const span = (r: Row): ModeSpan => ({
  mode: r.mode,
  from: r.started_at,
  to: r.ended_at ?? r.until,
  on: r.ended_at === null,
  by: r.set_by,
  source: r.source,
});

export class ModeSpans extends repository(SQL) {
  /** A mode began: the one before it, if any, ended at the same instant (end first). */
  begin(m: { mode: CareModeName; since: number; until: number; by: string; source: ModeSource }): void {
    this.uow.write({ run: () => this.sql.begin.run(m.mode, m.since, m.until, m.by, m.source) });
  }

  /** The mode on ended (early, by its time, or replaced). */
  end(at: number): void {
    this.uow.write({ run: () => this.sql.end.run(at) });
  }

  /** Spans that touch [from, to), oldest first. */
  between(from: number, to: number): ModeSpan[] {
    return (this.sql.between.all(to, from) as Row[]).map(span);
  }
}

/**
 * The care modes that touch [from, to): what a learner of her routine calls to leave those days
 * out (see daysInModes in gateway/modes/spans.ts).
 */
export const modeSpans = (store: { modes: ModeSpans }, from: number, to: number): ModeSpan[] =>
  store.modes.between(from, to);
