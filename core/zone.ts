// Local time in the gateway's IANA zone, from the runtime's own zone data (Intl), correct across
// daylight-saving changes. Offsets are cached per quarter hour: rules ask on every reading.
/** HH:MM, 00:00 to 23:59: a local time in the provisioning file and in the rules. */
export const LOCAL_TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes since local midnight of a time such as "07:30". */
export function minutesOfDay(hhmm: string): number {
  const m = LOCAL_TIME_RE.exec(hhmm);
  if (!m) throw new Error(`not a local time: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** "07:30" for minutes since local midnight, the inverse of minutesOfDay: rounded to the minute
 *  first (a median may fall between two), and taken round the clock. */
export function hhmmOf(minutes: number): string {
  const m = ((Math.round(minutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

const QUARTER = 900_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

export type LocalParts = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
};

export class Zone {
  readonly name: string;
  #fmt: Intl.DateTimeFormat;
  #offsets = new Map<number, number>();
  #at = new Map<string, number>();

  constructor(name: string) {
    this.name = name;
    this.#fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
  }

  parts(t: number): LocalParts {
    const p: Record<string, string> = {};
    for (const { type, value } of this.#fmt.formatToParts(t)) p[type] = value;
    return {
      year: Number(p.year),
      month: Number(p.month),
      day: Number(p.day),
      hour: Number(p.hour),
      minute: Number(p.minute),
      second: Number(p.second),
      weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday ?? ''),
    };
  }

  /** Local time minus UTC at instant t, in ms (Europe/London: 0 in winter, 3600000 in summer). */
  offset(t: number): number {
    const key = Math.floor(t / QUARTER);
    let off = this.#offsets.get(key);
    if (off === undefined) {
      const p = this.parts(key * QUARTER);
      off = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - key * QUARTER;
      if (this.#offsets.size > 10_000) this.#offsets.clear();
      this.#offsets.set(key, off);
    }
    return off;
  }

  /**
   * The instant a local wall time names. A time that does not exist (the hour skipped in spring)
   * is taken as the same distance past the gap; a time that happens twice (autumn) as the first.
   */
  fromLocal(year: number, month: number, day: number, minuteOfDay: number): number {
    const naive = Date.UTC(year, month - 1, day) + minuteOfDay * MINUTE;
    const first = naive - this.offset(naive - this.offset(naive));
    const earlier = naive - this.offset(naive - 3 * 3_600_000);
    // In an overlap both candidates are real; the earlier one is the first occurrence.
    if (earlier < first && this.#localMinutes(earlier) === this.#localMinutes(first)) return earlier;
    return first;
  }

  #localMinutes(t: number): number {
    return Math.floor((t + this.offset(t)) / MINUTE);
  }

  /** The local calendar day (as y/m/d) that instant t falls on. */
  dayOf(t: number): { year: number; month: number; day: number } {
    const local = new Date(t + this.offset(t));
    return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
  }

  /** The instant of local time `hhmm` on the local day that is `dayShift` days from t's day. */
  at(t: number, hhmm: string | number, dayShift = 0): number {
    // Rules ask this on every reading for the same few times of day: remember the answers.
    const localDay = Math.floor((t + this.offset(t)) / DAY);
    const key = `${localDay + dayShift}|${hhmm}`;
    const known = this.#at.get(key);
    if (known !== undefined) return known;
    const v = this.#atUncached(t, hhmm, dayShift);
    if (this.#at.size > 10_000) this.#at.clear();
    this.#at.set(key, v);
    return v;
  }

  #atUncached(t: number, hhmm: string | number, dayShift: number): number {
    const d = this.dayOf(t);
    const shifted = new Date(Date.UTC(d.year, d.month - 1, d.day + dayShift));
    const minutes = typeof hhmm === 'number' ? hhmm : minutesOfDay(hhmm);
    return this.fromLocal(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate(), minutes);
  }

  /** Minutes after local midnight at instant t. */
  minuteOfDay(t: number): number {
    const local = t + this.offset(t);
    return Math.floor((((local % DAY) + DAY) % DAY) / MINUTE);
  }

  /**
   * The occurrence of a daily window [from, to) that contains t, as instants; undefined when t
   * is outside it. A window whose `to` is not after `from` runs over midnight.
   */
  windowAt(t: number, from: string, to: string): { start: number; end: number } | undefined {
    const f = minutesOfDay(from);
    const e = minutesOfDay(to);
    const m = this.minuteOfDay(t);
    const overnight = e <= f;
    let startShift: number;
    if (!overnight) {
      if (m < f || m >= e) return undefined;
      startShift = 0;
    } else if (m >= f) startShift = 0;
    else if (m < e) startShift = -1;
    else return undefined;
    const start = this.at(t, f, startShift);
    const end = this.at(t, e, startShift + (overnight ? 1 : 0));
    return t >= start && t < end ? { start, end } : undefined;
  }

  /** The next instant strictly after t at which a window starts. */
  nextStart(t: number, from: string): number {
    const today = this.at(t, from);
    return today > t ? today : this.at(t, from, 1);
  }

  /** "10:42" */
  hm(t: number): string {
    const p = this.parts(t);
    return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  }

  /** ISO 8601 with the local offset: 2026-03-29T07:31:00+01:00 */
  iso(t: number): string {
    const off = this.offset(t);
    const local = new Date(t + off).toISOString().slice(0, 19);
    const sign = off < 0 ? '-' : '+';
    const abs = Math.abs(off) / MINUTE;
    return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  }

  /** "2026-03-29": the local date of t. */
  date(t: number): string {
    return new Date(t + this.offset(t)).toISOString().slice(0, 10);
  }
}

const zones = new Map<string, Zone>();

/** One Zone per name for the process: each holds its formatter and its cached offsets. */
export function zoneNamed(name: string): Zone {
  let z = zones.get(name);
  if (!z) {
    z = new Zone(name);
    zones.set(name, z);
  }
  return z;
}
