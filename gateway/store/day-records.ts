// What each day leaves: its summary (the next days' baselines are made of them) and the log of
// every alert state change, local ones included (what a day's summary counts).
import { repository } from './repository.ts';

const SQL = {
  putSummary:
    'INSERT INTO summaries (date, summary, created_at) VALUES (?, ?, ?) ON CONFLICT(date) DO UPDATE SET summary = excluded.summary, created_at = excluded.created_at',
  summariesBefore: 'SELECT summary FROM summaries WHERE date < ? ORDER BY date DESC LIMIT ?',
  logAlert: 'INSERT INTO alert_log (at, alert_id, rule, state) VALUES (?, ?, ?, ?)',
  alertsBetween: 'SELECT rule, state FROM alert_log WHERE at >= ? AND at < ? ORDER BY at',
};

export class DayRecords extends repository(SQL) {
  /** Every alert state change, local ones included: what a day's summary counts. */
  logAlert(at: number, alertId: string, rule: string, state: string): void {
    this.uow.write({ run: () => this.sql.logAlert.run(at, alertId, rule, state) });
  }

  alertsBetween(from: number, to: number): { rule: string; state: string }[] {
    return this.sql.alertsBetween.all(from, to) as { rule: string; state: string }[];
  }

  /** Keeps a day's summary: the next days' baselines are made of them. */
  putSummary(date: string, summary: unknown, now: number): void {
    const json = JSON.stringify(summary);
    this.uow.write({ run: () => this.sql.putSummary.run(date, json, now) });
  }

  /** Up to `n` summaries of the days before `date`, oldest first. */
  summariesBefore<T>(date: string, n: number): T[] {
    return (this.sql.summariesBefore.all(date, n) as { summary: string }[])
      .map((r) => JSON.parse(r.summary) as T)
      .reverse();
  }
}
