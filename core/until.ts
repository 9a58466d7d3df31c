// An end time as a person types it on a command line ("until when?"), read in a time zone: a
// date is through that day (the end of it: someone away until the 24th is expected back on the
// 24th), a local time is its next occurrence, and an ISO time with its offset is that instant.
// Pure; both ends' command lines use it (hearth mode, hearth hub mode).
import { LOCAL_TIME_RE, type Zone } from './zone.ts';

export type Until = { ok: true; at: number } | { ok: false; reason: string };

const DATE_RE = /^(\d{4})-(\d\d)-(\d\d)$/;
const ISO_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?([+-]\d\d:\d\d|Z)$/;

export const UNTIL_HELP =
  'a date (2026-12-24: through that day), a local time (18:00: the next one), or an ISO time with its offset';

/** A real calendar date: 2026-02-31 has the shape of one and is not. */
function realDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export function parseUntil(text: string, now: number, zone: Zone): Until {
  const s = text.trim();
  const date = DATE_RE.exec(s);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    if (!realDate(y, m, d)) return { ok: false, reason: `${s} is not a real date` };
    // Through that day: its end is the next day's first minute.
    return { ok: true, at: zone.at(zone.fromLocal(y, m, d, 12 * 60), '00:00', 1) };
  }
  if (LOCAL_TIME_RE.test(s)) {
    const today = zone.at(now, s);
    return { ok: true, at: today > now ? today : zone.at(now, s, 1) };
  }
  if (ISO_RE.test(s)) {
    const at = Date.parse(s);
    if (Number.isFinite(at) && realDate(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10))))
      return { ok: true, at };
  }
  return { ok: false, reason: `"${s.slice(0, 40)}" is not an end time; expected ${UNTIL_HELP}` };
}
