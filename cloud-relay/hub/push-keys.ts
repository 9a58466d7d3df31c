// The hub's Web Push keys, kept in its database so that every instance signs alike: the VAPID
// key pair (RFC 8292; generated once, by the first instance to start, with web-push's own
// generateVAPIDKeys) and the secret that signs notification action tokens. Written with insert-or-
// nothing and read back, so instances starting together agree on one pair. Never logged.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Kysely } from 'kysely';
import type WebPush from 'web-push';
import type { ConsoleDb } from './console-tables.ts';

/** web-push is CommonJS; loaded as pg is (db.ts), so its exports do not depend on a lexer's guess. */
export const webPush = (): typeof WebPush => createRequire(import.meta.url)('web-push') as typeof WebPush;

export type PushKeys = { vapid: { publicKey: string; privateKey: string }; actionKey: Buffer };

const read = (db: Kysely<ConsoleDb>, name: string) =>
  db.selectFrom('console_secrets').select('value').where('name', '=', name).executeTakeFirst();

/** The named secret, made by `make` only when there is none (web-push is loaded only then). */
async function secret(db: Kysely<ConsoleDb>, name: string, make: () => string): Promise<string> {
  const had = await read(db, name);
  if (had) return had.value;
  await db
    .insertInto('console_secrets')
    .values({ name, value: make() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await read(db, name);
  if (!row) throw new Error(`console_secrets has no ${name} after writing it`);
  return row.value;
}

/** The keys, made on first use. One row for the pair: two instances can never mix halves. */
export async function pushKeys(db: Kysely<ConsoleDb>): Promise<PushKeys> {
  const vapid = JSON.parse(
    await secret(db, 'vapid', () => JSON.stringify(webPush().generateVAPIDKeys())),
  ) as {
    publicKey: string;
    privateKey: string;
  };
  const action = await secret(db, 'push-action', () => randomBytes(32).toString('base64url'));
  return { vapid, actionKey: Buffer.from(action, 'base64url') };
}
