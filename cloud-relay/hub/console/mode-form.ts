// The care-mode form on a resident's page (README: Care modes): what it asks, how its `until` is
// read, and the home's last mode command as the hub recorded it. The limits (which modes, how far
// ahead) are the protocol's, checked by sendMode (mode.ts); nothing here repeats them.
import type { Kysely } from 'kysely';
import { parseJson } from '../../../core/json.ts';
import { parseUntil } from '../../../core/until.ts';
import { zoneNamed } from '../../../core/zone.ts';
import { CARE_MODES } from '../../protocol/messages.ts';
import type { ConsoleDb } from '../console-tables.ts';

/** What the form offers: the protocol's modes, and `off`. */
export const FORM_MODES: readonly string[] = [...CARE_MODES, 'off'];

/** What a browser's datetime-local input sends: a wall-clock time with no offset. */
const LOCAL_RE = /^(\d{4})-(\d\d)-(\d\d)T([01]\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?$/;

/**
 * `until` as typed into the form, read in the trust's time zone: a datetime-local value, or what
 * `hearth hub mode --until` takes (a date, a local time, an ISO time with its offset). As the ISO
 * time with its offset that the `mode` command carries.
 */
export function formUntil(
  text: string,
  now: number,
  timezone: string,
): { ok: true; until: string } | { ok: false; reason: string } {
  const zone = zoneNamed(timezone);
  const s = text.trim();
  if (!s) return { ok: false, reason: 'until: a mode other than off needs an end time' };
  const local = LOCAL_RE.exec(s);
  if (local) {
    const [y, m, d] = [Number(local[1]), Number(local[2]), Number(local[3])];
    const day = new Date(Date.UTC(y, m - 1, d));
    if (day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d)
      return { ok: false, reason: `until: ${s} is not a real date` };
    return { ok: true, until: zone.iso(zone.fromLocal(y, m, d, Number(local[4]) * 60 + Number(local[5]))) };
  }
  const u = parseUntil(s, now, zone);
  return u.ok ? { ok: true, until: zone.iso(u.at) } : { ok: false, reason: `until: ${u.reason}` };
}

export type ModeShown = {
  mode: string;
  until: string | null;
  by: string | null;
  sentAt: number;
  /** sent (pending until the home answers), confirmed, failed, unconfirmed. */
  state: string;
  detail: string | null;
};

const shown = (row: {
  payload: string;
  by: string | null;
  sent_at: number;
  state: string;
  detail: string | null;
}) => {
  // The hub wrote it, checked; a row damaged since shows as an unknown mode, not a failed page.
  const parsed = parseJson(row.payload, { maxBytes: 4096, maxDepth: 4 });
  const p = (parsed.ok && parsed.value && typeof parsed.value === 'object' ? parsed.value : {}) as {
    mode?: unknown;
    until?: unknown;
  };
  return {
    mode: typeof p.mode === 'string' ? p.mode : '?',
    until: typeof p.until === 'string' ? p.until : null,
    by: row.by,
    sentAt: Number(row.sent_at),
    state: row.state,
    detail: row.detail,
  };
};

/** Each home's newest mode command, by gateway, in one query: for the homes page. */
export async function lastModes(db: Kysely<ConsoleDb>, gateways: string[]): Promise<Map<string, ModeShown>> {
  if (!gateways.length) return new Map();
  const newest = db
    .selectFrom('commands')
    .select((eb) => ['gateway', eb.fn.max('sent_at').as('at')])
    .where('name', '=', 'mode')
    .where('gateway', 'in', gateways)
    .groupBy('gateway')
    .as('newest');
  const rows = await db
    .selectFrom('commands as c')
    .innerJoin(newest, (j) =>
      j.onRef('newest.gateway', '=', 'c.gateway').onRef('newest.at', '=', 'c.sent_at'),
    )
    .select(['c.gateway', 'c.payload', 'c.by', 'c.sent_at', 'c.state', 'c.detail'])
    .where('c.name', '=', 'mode')
    .execute();
  return new Map(rows.map((r) => [r.gateway, shown(r)]));
}

/**
 * The care mode a home is in as far as the trust knows: none when the last one was off, ended, or
 * refused; else the mode with its end and whether the home has confirmed it. Pure.
 */
export function modeNow(m: ModeShown | null | undefined, now: number): { mode: string; note: string } | null {
  if (!m || m.mode === 'off' || m.state === 'failed') return null;
  const until = m.until ? Date.parse(m.until) : Number.NaN;
  if (Number.isFinite(until) && until <= now) return null;
  const note = m.state === 'confirmed' ? 'confirmed' : m.state === 'sent' ? 'pending' : 'not confirmed';
  return { mode: m.mode, note };
}

/** The newest mode command the hub sent to any of these homes, or null. */
export async function lastMode(db: Kysely<ConsoleDb>, gateways: string[]): Promise<ModeShown | null> {
  if (!gateways.length) return null;
  const row = await db
    .selectFrom('commands')
    .select(['payload', 'by', 'sent_at', 'state', 'detail'])
    .where('name', '=', 'mode')
    .where('gateway', 'in', gateways)
    .orderBy('sent_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? shown(row) : null;
}
