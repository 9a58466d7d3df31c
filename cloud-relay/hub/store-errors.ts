// A store error is either the message's fault, and final (a constraint, an encoding, a value
// out of range, a bug met by this message), or the database's state, and worth waiting for (a
// lost connection, a full disk, a busy file). Only the second may hold a message's PUBACK: held
// for the first, one message from one home would stop the hub for every home.

export type StoreErrorKind = 'refusal' | 'transient';

/** Socket errors on the way to PostgreSQL. */
const NET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * PostgreSQL's SQLSTATE classes that say nothing about the message: 08 connection exception,
 * 40 transaction rollback (serialization, deadlock), 53 insufficient resources (disk full, out of
 * memory, too many connections), 57 operator intervention (shutdown), 58 system error (I/O).
 */
const PG_TRANSIENT_CLASSES = new Set(['08', '40', '53', '57', '58']);

/** SQLite's: a busy or locked file, I/O errors, a full or read-only disk, no memory, corruption. */
const SQLITE_TRANSIENT =
  /^SQLITE_(BUSY|LOCKED|IOERR|FULL|READONLY|CANTOPEN|NOMEM|PROTOCOL|CORRUPT|NOTADB|INTERRUPT)/;

/**
 * Said by pg and Kysely, without a code, of a connection lost or a pool shut, or of a query the
 * server did not answer (pg's query_timeout).
 */
const LOST =
  /connection (terminated|ended|closed|timeout)|timeout exceeded when trying to connect|Client has encountered a connection error|driver has already been destroyed|Connection terminated|Query read timeout|Postgres connection has been discarded/i;

export function storeErrorKind(err: unknown): StoreErrorKind {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (NET.has(code)) return 'transient';
  if (/^[0-9A-Z]{5}$/.test(code)) return PG_TRANSIENT_CLASSES.has(code.slice(0, 2)) ? 'transient' : 'refusal';
  if (code.startsWith('SQLITE_')) return SQLITE_TRANSIENT.test(code) ? 'transient' : 'refusal';
  return LOST.test(typeof e?.message === 'string' ? e.message : '') ? 'transient' : 'refusal';
}
