// What an administrator types to name a resident and a date, checked before the database is read:
// the command line and the console refuse the same things with the same words.
import type { Zone } from '../../core/zone.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `id` cannot be a resident's id (as the protocol allows one), or null. */
export function badResidentId(id: string): string | null {
  if (!id) return 'the resident id is empty';
  if (id.length > 64) return `the resident id is ${id.length} characters long; an id has at most 64`;
  if (CONTROL.test(id)) return 'the resident id holds a control character (a newline, a tab, NUL)';
  if (id.trim() !== id) return 'the resident id begins or ends with a space';
  return null;
}

/** Why `by` cannot name who asks in the audit log (`--by`), or null. */
export function badAuditName(by: string): string | null {
  if (!by.trim()) return '--by names nobody';
  if (by.length > 100) return `--by is ${by.length} characters long; a name has at most 100`;
  if (CONTROL.test(by)) return '--by holds a control character (a newline, a tab, NUL)';
  return null;
}

const DATE_RE = /^(\d{4})-(\d\d)-(\d\d)$/;

/** `--before`: a date (the start of that day in hub.timezone) or an ISO time with its offset. */
export function parseBefore(
  s: string,
  zone: Zone,
  now: number,
): { ok: true; at: number } | { ok: false; reason: string } {
  const d = DATE_RE.exec(s);
  let at: number;
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    const probe = new Date(Date.UTC(y, m - 1, day));
    if (probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== day)
      return { ok: false, reason: `--before "${s}" is not a real date` };
    at = zone.fromLocal(y, m, day, 0);
  } else if (
    /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s) &&
    Number.isFinite(Date.parse(s))
  )
    at = Date.parse(s);
  else
    return {
      ok: false,
      reason: `--before "${s.slice(0, 40)}" is not a date such as 2025-06-30 or an ISO time`,
    };
  if (at > now)
    return {
      ok: false,
      reason: `--before ${s.slice(0, 40)} is in the future; to erase everything give no --before`,
    };
  return { ok: true, at };
}
