// The SQLite connection under a Store, for tests that look at the file while the store holds it
// (its exclusive lock keeps every other connection out): a query plan, a trigger that fails a
// write. The gateway itself never reaches past the store's methods: only test/ may import this
// module (.dependency-cruiser.cjs).
import type Database from 'better-sqlite3';

export const SQLITE: unique symbol = Symbol('the store’s SQLite connection');

export function sqliteOf(store: { readonly [SQLITE]: Database.Database }): Database.Database {
  return store[SQLITE];
}
