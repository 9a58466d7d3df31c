// The audit log: every acknowledgement, every view of a resident's page, every refusal. Who and
// when; never a password, never the content of the page.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ConsoleDb } from './tables.ts';

export type AuditEntry = {
  staff: string;
  action: string;
  resident?: string | null;
  target?: string | null;
  outcome: 'ok' | 'refused' | 'failed';
  detail?: string | null;
};

export async function audit(db: Kysely<ConsoleDb>, e: AuditEntry, now: number): Promise<void> {
  await db
    .insertInto('audit')
    .values({
      id: randomUUID(),
      at: now,
      staff: e.staff,
      action: e.action,
      resident: e.resident ?? null,
      target: e.target ?? null,
      outcome: e.outcome,
      detail: e.detail ?? null,
    })
    .execute();
}

export function auditLog(db: Kysely<ConsoleDb>, opts: { q?: string; limit?: number } = {}) {
  let q = db
    .selectFrom('audit')
    .selectAll()
    .orderBy('at', 'desc')
    .limit(opts.limit ?? 200);
  if (opts.q) {
    const like = `%${opts.q}%`;
    q = q.where((eb) =>
      eb.or([
        eb('staff', 'like', like),
        eb('action', 'like', like),
        eb('resident', 'like', like),
        eb('target', 'like', like),
      ]),
    );
  }
  return q.execute();
}
