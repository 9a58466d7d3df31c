// `hearth hub user add`: a staff account in the hub's database, created or replaced. The
// password comes from stdin or an environment variable, never from the command line (where
// `ps` and the shell history would show it), and is never printed.
import type { HubConfig } from '../../../config/hub-schema.ts';
import { checkNewStaff, putStaff } from '../console/accounts.ts';
import { consoleDb, type Role } from '../console-tables.ts';
import { openDb } from '../db.ts';
import { dbTarget } from '../hub.ts';
import { HubStore } from '../store.ts';

export type UserAdd = { name: string; role: string; residents: string[]; password: string; pushUrl?: string };

export async function addUser(
  config: HubConfig,
  file: string,
  u: UserAdd,
  now = Date.now(),
): Promise<{ code: number; text: string }> {
  const wrong = checkNewStaff(u);
  if (wrong) return { code: 2, text: `hearth hub user add: ${wrong}` };
  const store = new HubStore(openDb(dbTarget(config, file)).db);
  try {
    await store.migrate();
    const done = await putStaff(consoleDb(store.db), { ...u, role: u.role as Role }, now);
    const whom = u.residents.length ? ` for ${u.residents.join(', ')}` : '';
    return {
      code: 0,
      text: `${u.name} ${done} as ${u.role}${whom}${u.pushUrl ? ', urgent alerts pushed' : ''}`,
    };
  } finally {
    await store.close();
  }
}
