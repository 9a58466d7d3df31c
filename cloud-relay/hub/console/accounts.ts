// Staff accounts and assignments in the hub's database.
import type { Kysely } from 'kysely';
import { type ConsoleDb, ROLES, type Role } from '../console-tables.ts';
import type { Staff } from './access.ts';
import { hashPassword, type ScryptCost } from './password.ts';

export type NewStaff = { name: string; role: Role; password: string; residents: string[]; pushUrl?: string };

const NAME_RE = /^[a-z0-9][a-z0-9._@-]{0,63}$/i;
export const MIN_PASSWORD = 10;

/** What is wrong with an account before it is written, or null. */
export function checkNewStaff(s: {
  name: string;
  role: string;
  password: string;
  residents: string[];
  pushUrl?: string;
}): string | null {
  if (s.pushUrl !== undefined && !/^https?:\/\/\S+$/.test(s.pushUrl))
    return `push address "${s.pushUrl}": expected an http(s) URL such as https://ntfy.example.org/carer-topic`;
  if (!NAME_RE.test(s.name)) return `name "${s.name}": letters, digits and . _ @ - only, at most 64`;
  if (!(ROLES as readonly string[]).includes(s.role)) return `role "${s.role}": expected ${ROLES.join(', ')}`;
  if (s.password.length < MIN_PASSWORD) return `the password is shorter than ${MIN_PASSWORD} characters`;
  if (s.role === 'carer' && s.residents.length === 0) return 'a carer needs at least one --resident';
  return null;
}

/**
 * Creates the account, or replaces its role, password and residents when it exists. `cost` is for
 * tests, which make accounts by the dozen; the command line and the hub leave it at the default.
 */
export async function putStaff(
  db: Kysely<ConsoleDb>,
  s: NewStaff,
  now: number,
  o: { cost?: ScryptCost } = {},
): Promise<'added' | 'updated'> {
  const password = await hashPassword(s.password, o.cost);
  return db.transaction().execute(async (t) => {
    const had = await t.selectFrom('staff').select('name').where('name', '=', s.name).executeTakeFirst();
    await t
      .insertInto('staff')
      .values({
        name: s.name,
        role: s.role,
        password,
        created_at: now,
        disabled: 0,
        push_url: s.pushUrl ?? null,
      })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({ role: s.role, password, disabled: 0, push_url: s.pushUrl ?? null }),
      )
      .execute();
    await t.deleteFrom('staff_residents').where('staff', '=', s.name).execute();
    for (const resident of new Set(s.residents))
      await t.insertInto('staff_residents').values({ staff: s.name, resident }).execute();
    return had ? 'updated' : 'added';
  });
}

export async function loadStaff(db: Kysely<ConsoleDb>, name: string): Promise<Staff | null> {
  const row = await db
    .selectFrom('staff')
    .select(['name', 'role'])
    .where('name', '=', name)
    .where('disabled', '=', 0)
    .executeTakeFirst();
  if (!row) return null;
  const rs = await db.selectFrom('staff_residents').select('resident').where('staff', '=', name).execute();
  return { name: row.name, role: row.role as Role, residents: new Set(rs.map((r) => r.resident)) };
}

/** Whether `name` could be an account's: anything else is not worth a query. */
export const mayBeName = (name: string): boolean => NAME_RE.test(name);

/** The account's hash and whether it is disabled; undefined when there is no such account. */
export function passwordOf(db: Kysely<ConsoleDb>, name: string) {
  return db.selectFrom('staff').select(['password', 'disabled']).where('name', '=', name).executeTakeFirst();
}

/** Replaces a hash by one of `cost`, unless the password was changed meanwhile. */
export async function rehashPassword(
  db: Kysely<ConsoleDb>,
  name: string,
  old: string,
  password: string,
  cost: ScryptCost,
): Promise<void> {
  const hash = await hashPassword(password, cost);
  await db
    .updateTable('staff')
    .set({ password: hash })
    .where('name', '=', name)
    .where('password', '=', old)
    .execute();
}
