// Many values as one PostgreSQL parameter. The intake writes hundreds of rows a statement: as
// `insert ... values` that is a parameter for every column of every row, each one built, compiled
// and encoded by itself, the costliest part of the hub's work a heartbeat. As one array a column
// (`unnest`), or a list as one array (`= any`), a statement has a handful of parameters whatever
// the batch's size. SQLite has no arrays; its callers keep lists and rows.
import { type RawBuilder, sql } from 'kysely';

export type PgType = 'text' | 'integer' | 'bigint';

/** Each column of a row and its PostgreSQL type, in the order the columns go. */
export type PgColumns<R> = { readonly [K in keyof R]-?: PgType };

/** The columns, in the order `unnestRows` gives them. */
export const columnsOf = <R>(types: PgColumns<R>): (keyof R & string)[] =>
  Object.keys(types) as (keyof R & string)[];

/** A list as one typed array, so nulls and numbers arrive as the column's type. */
const array = (values: readonly unknown[], type: PgType): RawBuilder<unknown> =>
  sql`${values}::${sql.raw(type)}[]`;

/** `column = any(...)`'s right side: the list in one parameter. */
export const anyOf = <V>(values: readonly V[], type: PgType): RawBuilder<V> =>
  sql<V>`any(${array(values, type)})`;

/** The rows as `select * from unnest(...)`, one array a column, for `insert ... (columnsOf) select`. */
export function unnestRows<R>(rows: readonly R[], types: PgColumns<R>): RawBuilder<R> {
  const arrays = columnsOf(types).map((c) =>
    array(
      rows.map((r) => r[c]),
      types[c],
    ),
  );
  return sql<R>`select * from unnest(${sql.join(arrays)})`;
}
