// The audit log: every acknowledgement, every view of a resident's page, every refusal. Who and
// when; never a password, never the content of the page, and never a field longer than MAX.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { safeText } from '../../core/json.ts';
import type { ConsoleDb } from './console-tables.ts';

export type AuditEntry = {
  staff: string;
  action: string;
  resident?: string | null;
  target?: string | null;
  outcome: 'ok' | 'refused' | 'failed';
  detail?: string | null;
};

/**
 * Characters kept of each field. A field may carry what a request carried (a URL, a name typed at
 * sign-in), and the log is written before anyone is known: no row grows with what was sent.
 */
const MAX = { staff: 100, action: 40, resident: 100, target: 300, detail: 500 } as const;

const bounded = (v: string | null | undefined, max: number) => (v == null ? null : safeText(v, max));

export async function audit(db: Kysely<ConsoleDb>, e: AuditEntry, now: number): Promise<void> {
  await db
    .insertInto('audit')
    .values({
      id: randomUUID(),
      at: now,
      staff: safeText(e.staff, MAX.staff),
      action: safeText(e.action, MAX.action),
      resident: bounded(e.resident, MAX.resident),
      target: bounded(e.target, MAX.target),
      outcome: e.outcome,
      detail: bounded(e.detail, MAX.detail),
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
