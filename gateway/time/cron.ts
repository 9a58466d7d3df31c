// When a cron schedule fires next, in the gateway's time zone, on any clock (live or simulated).
// node-cron decides whether a wall time matches; we walk wall-clock minutes, so a schedule fires
// exactly once per local day on the days the clocks change too: a time skipped in spring fires
// just after the gap, a time that happens twice in autumn fires at its first occurrence only.
import cron from 'node-cron';
import type { Zone } from '../../core/zone.ts';

const MINUTE = 60_000;
/** A year of minutes: any valid expression matches within it (29 February aside). */
const LIMIT = 366 * 24 * 60;

export type Cron = { expression: string; next(after: number): number | null };

export function cronSchedule(expression: string, zone: Zone): Cron {
  // Matching in UTC against a Date whose UTC fields are the local wall time keeps node-cron's
  // own parser and field semantics, without its notion of "now".
  const task = cron.createTask(expression, () => {}, { timezone: 'UTC' });
  return {
    expression,
    next(after: number): number | null {
      const p = zone.parts(after);
      let wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) + MINUTE;
      for (let i = 0; i < LIMIT; i++, wall += MINUTE) {
        if (!task.match(new Date(wall))) continue;
        const d = new Date(wall);
        const at = zone.fromLocal(
          d.getUTCFullYear(),
          d.getUTCMonth() + 1,
          d.getUTCDate(),
          d.getUTCHours() * 60 + d.getUTCMinutes(),
        );
        if (at > after) return at;
      }
      return null;
    },
  };
}
