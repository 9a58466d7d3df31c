// A wall-clock jump (no RTC on a Pi; NTP corrects the clock after boot) must neither fire nor
// suppress an alert. Rule state keeps instants in fields named ...At, ...Since or ...Until; moving
// them all by the jump keeps every elapsed duration what it really was.
const TIME_KEY = /(At|Since|Until)$/;

export function shiftTimes<T>(value: T, by: number): T {
  if (Array.isArray(value)) return value.map((v) => shiftTimes(v, by)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (TIME_KEY.test(k) && typeof v === 'number') out[k] = v + by;
    else if (TIME_KEY.test(k) && v && typeof v === 'object' && !Array.isArray(v))
      out[k] = Object.fromEntries(
        Object.entries(v).map(([kk, vv]) => [kk, typeof vv === 'number' ? vv + by : shiftTimes(vv, by)]),
      );
    else out[k] = shiftTimes(v, by);
  }
  return out as T;
}
