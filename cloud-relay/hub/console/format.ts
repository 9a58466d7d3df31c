// Times and durations as a carer reads them, in the trust's time zone. Pure: `now` is an argument.
import { hhmmOf, zoneNamed } from '../../../core/zone.ts';

/** "10:42" in the trust's time zone. */
export const clock = (ms: number, timezone: string): string => zoneNamed(timezone).hm(ms);

export function dayAndClock(ms: number, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(ms);
}

/** "3 h 10 m", "12 m", "40 s". */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} m`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** The local hh:mm of an ISO time a home wrote (its own offset kept). */
export const isoClock = (iso: string | null | undefined): string => (iso ? iso.slice(11, 16) : '–');

export const SEVERITY_RANK: Readonly<Record<string, number>> = { urgent: 3, high: 2, warning: 1, info: 0 };

/**
 * Minutes after 18:00 of a local ISO time, so that bedtimes either side of midnight compare, and
 * an early one (19:30) is early, not the latest of all; the morning's wake compares the same way.
 */
export function eveningMinute(iso: string): number {
  const t = Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));
  return (t - 18 * 60 + 1440) % 1440;
}
/** "22:40" for minutes after 18:00: the inverse of eveningMinute. */
export const clockOfEvening = (m: number): string => hhmmOf(m + 18 * 60);
