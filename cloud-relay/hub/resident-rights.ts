// A resident's data rights at the trust: everything the hub holds about her as one document (a
// subject access request), and its erasure, all of it or what is older than a date; before it, how
// many rows of each table are hers. All walk resident-tables.ts, so what is given, counted and
// deleted are the same rows. The erasure is one transaction with one audit line naming what was
// erased (counts per table), never the data.
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import { chunks } from '../../core/chunks.ts';
import { audit } from './audit.ts';
import { HUB_GATEWAY } from './call-tables.ts';
import type { ConsoleDb } from './console-tables.ts';
import { type Belongs, type Holding, RESIDENT_TABLES } from './resident-tables.ts';
import type { HubDb } from './tables.ts';

type Db = Kysely<ConsoleDb> | Transaction<ConsoleDb>;
type Row = Record<string, unknown>;

/** Her gateways: the homes the hub knows as hers, and the one she is bound to. */
export async function gatewaysOf(db: Db, resident: string): Promise<string[]> {
  const [homes, bound] = await Promise.all([
    db.selectFrom('homes').select('gateway').where('resident', '=', resident).execute(),
    db.selectFrom('residents').select('gateway').where('resident', '=', resident).execute(),
  ]);
  return [...new Set([...homes, ...bound].map((r) => r.gateway))].sort();
}

/** Whether the hub holds anything under this id: a home, an alert, a summary, a carer link... */
export async function knownResident(db: Db, resident: string): Promise<boolean> {
  for (const h of RESIDENT_TABLES) {
    if (h.belongs.by !== 'resident') continue;
    const r = await sql<Row>`select 1 as one from ${sql.table(h.table)}
      where ${sql.ref(h.belongs.column)} = ${resident} limit 1`.execute(db);
    if (r.rows.length) return true;
  }
  return false;
}

type Who = { resident: string; gateways: string[]; before?: number };

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const contains = (column: string, s: string) =>
  sql`${sql.ref(column)} like ${`%${likeEscape(s)}%`} escape '\\'`;
const anyOf = (parts: RawBuilder<unknown>[]) =>
  parts.length ? sql`(${sql.join(parts, sql` or `)})` : sql`1 = 0`;
const dated = (time: readonly string[] | undefined, before?: number) =>
  before === undefined || !time?.length
    ? sql`1 = 1`
    : time.length === 1
      ? sql`${sql.ref(time[0] as string)} < ${before}`
      : // SQLite's coalesce() takes two arguments or more.
        sql`coalesce(${sql.join(time.map((c) => sql.ref(c)))}) < ${before}`;

const ALERT_TIME = RESIDENT_TABLES.find((h) => h.table === 'alerts')?.time;
const HUB_ALERT_TIME = RESIDENT_TABLES.find((h) => h.table === 'hub_alerts')?.time;

/** The rows of `h` that are hers, as a condition; for `mention` and `about`, candidates to check. */
function condition(b: Belongs, w: Who): RawBuilder<unknown> {
  switch (b.by) {
    case 'resident':
      return sql`${sql.ref(b.column)} = ${w.resident}`;
    case 'gateway':
      return w.gateways.length ? sql`${sql.ref(b.column)} in (${sql.join(w.gateways)})` : sql`1 = 0`;
    case 'alert': {
      // Her homes' alerts, and the hub's own alerts about her homes (kept under HUB_GATEWAY).
      const hub = w.gateways.length
        ? sql`(gateway = ${HUB_GATEWAY} and alert_id in (select key from hub_alerts
            where gateway in (${sql.join(w.gateways)}) and ${dated(HUB_ALERT_TIME, w.before)}))`
        : sql`1 = 0`;
      return sql`((gateway, alert_id) in (select gateway, alert_id from alerts
        where resident = ${w.resident} and ${dated(ALERT_TIME, w.before)}) or ${hub})`;
    }
    case 'mention':
      return anyOf([
        sql`${sql.ref(b.resident)} = ${w.resident}`,
        ...w.gateways.map((g) => contains(b.text, g)),
      ]);
    case 'about':
      return anyOf([w.resident, ...w.gateways].map((s) => contains(b.column, JSON.stringify(s))));
  }
}

const ID_CHAR = /[\w.-]/;
/** `g` as a whole id within `text`: gw-1 is not named by "gw-10/a-1". */
function names(text: string, g: string): boolean {
  for (let i = text.indexOf(g); i >= 0; i = text.indexOf(g, i + 1)) {
    const before = text[i - 1];
    const after = text[i + g.length];
    if (!(before && ID_CHAR.test(before)) && !(after && ID_CHAR.test(after))) return true;
  }
  return false;
}

/** Whether a candidate row is hers: LIKE matches more than it should (case, a longer id). */
function isHers(b: Belongs, row: Row, w: Who): boolean {
  if (b.by === 'mention') {
    const text = row[b.text];
    return (
      row[b.resident] === w.resident || (typeof text === 'string' && w.gateways.some((g) => names(text, g)))
    );
  }
  if (b.by === 'about') {
    try {
      const about = (
        JSON.parse(String(row[b.column])) as { about?: { resident?: unknown; gateway?: unknown } }
      ).about;
      return about?.resident === w.resident || w.gateways.includes(String(about?.gateway));
    } catch {
      return false;
    }
  }
  return true;
}

/** Her rows of one table (those dated before `w.before` when given). */
async function rowsOf(db: Db, h: Holding, w: Who): Promise<Row[]> {
  const time = h.belongs.by === 'alert' ? undefined : h.time;
  if (w.before !== undefined && h.belongs.by !== 'alert' && !time?.length) return [];
  const r = await sql<Row>`select * from ${sql.table(h.table)}
    where ${condition(h.belongs, w)} and ${dated(time, w.before)}`.execute(db);
  return r.rows.filter((row) => isHers(h.belongs, row, w));
}

const asJson = (h: Holding, row: Row): Row => {
  if (!h.json?.length) return row;
  const out = { ...row };
  for (const c of h.json)
    if (typeof out[c] === 'string')
      try {
        out[c] = JSON.parse(out[c] as string);
      } catch {
        // Kept as the text it is: the export gives what is held, parsed or not.
      }
  return out;
};

export type ResidentExport = {
  resident: string;
  gateways: string[];
  exported_at: string;
  tables: Record<string, Row[]>;
};

/** Everything the hub holds about her, table by table. */
export async function exportResident(
  db: Kysely<HubDb>,
  resident: string,
  now: number,
): Promise<ResidentExport> {
  const cdb = db as unknown as Kysely<ConsoleDb>;
  return cdb.transaction().execute(async (t) => {
    const w: Who = { resident, gateways: await gatewaysOf(t, resident) };
    const tables: Record<string, Row[]> = {};
    for (const h of RESIDENT_TABLES) tables[h.table] = (await rowsOf(t, h, w)).map((r) => asJson(h, r));
    return { resident, gateways: w.gateways, exported_at: new Date(now).toISOString(), tables };
  });
}

const countWhere = async (db: Db, table: string, where: RawBuilder<unknown>) => {
  // A bigint in PostgreSQL, read as a number (db.ts).
  const r = await sql<{ n: number }>`select count(*) as n
    from ${sql.table(table)} where ${where}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
};

/** How many rows of one table are hers: those her export would give, without reading them. */
async function countOf(db: Db, h: Holding, w: Who): Promise<number> {
  const b = h.belongs;
  if (b.by === 'about') {
    // LIKE matches more than it should: the candidates are read, only the column isHers checks.
    const r = await sql<Row>`select ${sql.ref(b.column)} from ${sql.table(h.table)}
      where ${condition(b, w)}`.execute(db);
    return r.rows.filter((row) => isHers(b, row, w)).length;
  }
  if (b.by === 'mention') {
    // Her lines are counted; of the others, those whose text LIKE finds a gateway of hers in are
    // read, their text only, and kept when it names one as a whole id (isHers).
    const named = anyOf(w.gateways.map((g) => contains(b.text, g)));
    const others = await sql<Row>`select ${sql.ref(b.text)} from ${sql.table(h.table)}
      where (${sql.ref(b.resident)} is null or ${sql.ref(b.resident)} <> ${w.resident}) and ${named}`.execute(
      db,
    );
    const hers = await countWhere(db, h.table, sql`${sql.ref(b.resident)} = ${w.resident}`);
    return hers + others.rows.filter((row) => isHers(b, row, w)).length;
  }
  return countWhere(db, h.table, condition(b, w));
}

/**
 * Her rows per table, as many as exportResident would give (all of them, as an erasure without a
 * date deletes): what the console's erase page shows before it is confirmed.
 */
export async function countResident(db: Kysely<HubDb>, resident: string): Promise<Record<string, number>> {
  const cdb = db as unknown as Kysely<ConsoleDb>;
  return cdb.transaction().execute(async (t) => {
    const w: Who = { resident, gateways: await gatewaysOf(t, resident) };
    const counts: Record<string, number> = {};
    for (const h of RESIDENT_TABLES) counts[h.table] = await countOf(t, h, w);
    return counts;
  });
}

export type EraseResult = { gateways: string[]; counts: Record<string, number>; total: number };

/** Deletes the rows of one table that are hers; how many. */
async function eraseTable(t: Transaction<ConsoleDb>, h: Holding, w: Who): Promise<number> {
  const b = h.belongs;
  if (b.by === 'mention' || b.by === 'about') {
    const keys = (await rowsOf(t, h, w)).map((r) => r[b.key] as string);
    let n = 0;
    for (const part of chunks(keys, 500)) {
      const r =
        await sql`delete from ${sql.table(h.table)} where ${sql.ref(b.key)} in (${sql.join(part)})`.execute(
          t,
        );
      n += Number(r.numAffectedRows ?? 0n);
    }
    return n;
  }
  const time = b.by === 'alert' ? undefined : h.time;
  if (w.before !== undefined && b.by !== 'alert' && !time?.length) return 0;
  const r = await sql`delete from ${sql.table(h.table)}
    where ${condition(b, w)} and ${dated(time, w.before)}`.execute(t);
  return Number(r.numAffectedRows ?? 0n);
}

/**
 * Erases what the hub holds about her (only what is older than `before`, when given) in one
 * transaction, and writes one audit line: who, her id, and how many rows of each table.
 */
export async function eraseResident(
  db: Kysely<HubDb>,
  e: { resident: string; by: string; before?: number },
  now: number,
): Promise<EraseResult> {
  const cdb = db as unknown as Kysely<ConsoleDb>;
  return cdb.transaction().execute(async (t) => {
    const w: Who = { resident: e.resident, gateways: await gatewaysOf(t, e.resident), before: e.before };
    const counts: Record<string, number> = {};
    for (const h of RESIDENT_TABLES) counts[h.table] = await eraseTable(t, h, w);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const erased = Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([table, n]) => `${table} ${n}`)
      .join(', ');
    const when =
      e.before === undefined ? 'all records' : `records before ${new Date(e.before).toISOString()}`;
    await audit(
      t,
      {
        staff: e.by,
        action: 'erase-resident',
        resident: e.resident,
        target: when,
        outcome: 'ok',
        detail: `${total} rows erased${erased ? `: ${erased}` : ''}`,
      },
      now,
    );
    return { gateways: w.gateways, counts, total };
  });
}
