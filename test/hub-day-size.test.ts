// The hub database's size per home per day (tools/bench/hub-day-size.ts), on 100 homes: what a
// trust sizes its PostgreSQL by. A heartbeat a minute must keep no row of its own: a day's 1,440
// per home would outgrow everything else the hub keeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureHubDaySize } from '../tools/bench/hub-day-size.ts';
import { type Postgres, startPostgres } from './helpers/postgres.ts';

let pg: Postgres | undefined;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(() => pg?.stop());

describe('hub database size per home-day', () => {
  it('counts what a day adds: a few rows per home, none for heartbeats, and steady from the second day', async () => {
    if (!pg) throw new Error('PostgreSQL did not start');
    const f = await measureHubDaySize({ quick: true, url: await pg.createDatabase('hub_day_size') });
    expect(f.hub_pg_day_size_homes).toBe(100);
    expect(f.hub_pg_rows_per_home_day).toBeGreaterThan(0);
    expect(f.hub_pg_bytes_per_home_day).toBeGreaterThan(0);
    // A day's summary, night and test call each keep their row; the first day also each home's own.
    expect(f.hub_pg_rows_per_home_day_summaries).toBe(1);
    expect(f.hub_pg_rows_per_home_day_nights).toBe(1);
    expect(f.hub_pg_rows_per_home_day_test_calls).toBe(1);
    expect(f.hub_pg_rows_per_home_first_day_homes).toBe(1);
    // 1,440 heartbeats per home-day: were any kept, the rows would be near that, not a few dozen.
    expect(f.hub_pg_rows_per_home_day).toBeLessThan(50);
    expect(f.hub_pg_rows_per_home_first_day).toBeLessThan(50);
  }, 600_000);
});
