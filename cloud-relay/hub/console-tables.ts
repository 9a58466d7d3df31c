// The console's tables, beside the hub's: staff accounts, who cares for whom, sessions, sign-in
// budgets, the audit log, outcome notes and the secret that signs cookies. Same columns on
// PostgreSQL and SQLite; times are epoch milliseconds.
import type { Kysely } from 'kysely';
import type { HubDb } from './tables.ts';

export const ROLES = ['operator', 'carer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type StaffTable = {
  name: string;
  role: string;
  /** scrypt$N$r$p$salt$hash, all base64url. */
  password: string;
  created_at: number;
  disabled: number;
  /** An ntfy-compatible topic URL: urgent alerts of their residents are pushed there. */
  push_url: string | null;
};

export type StaffResidentsTable = { staff: string; resident: string };

export type SessionsTable = {
  /** sha256 of the token in the cookie: a leaked table row cannot be replayed. */
  id: string;
  staff: string;
  csrf: string;
  created_at: number;
  seen_at: number;
};

export type SigninAttemptsTable = { key: string; at: number; ok: number };

/** A token bucket per name or address (see rate-limit.ts); `tat` is when it is full again. */
export type SigninBudgetTable = { key: string; tat: number; noted_at: number | null };

export type AuditTable = {
  id: string;
  at: number;
  staff: string;
  action: string;
  resident: string | null;
  target: string | null;
  outcome: string;
  detail: string | null;
};

export type AlertNotesTable = {
  id: string;
  gateway: string;
  alert_id: string;
  staff: string;
  at: number;
  note: string;
};

export type ConsoleSecretsTable = { name: string; value: string };

/** A device an admin marked as a monitoring screen; its browser holds a signed cookie with `id`. */
export type ScreensTable = { id: string; name: string; marked_by: string; marked_at: number };

/** A live stream a screen holds open for a session: while it is open, the session is not idle. */
export type ScreenStreamsTable = { id: string; session: string; screen: string; opened_at: number };

export type ConsoleDb = HubDb & {
  staff: StaffTable;
  staff_residents: StaffResidentsTable;
  sessions: SessionsTable;
  signin_attempts: SigninAttemptsTable;
  signin_budget: SigninBudgetTable;
  audit: AuditTable;
  alert_notes: AlertNotesTable;
  console_secrets: ConsoleSecretsTable;
  screens: ScreensTable;
  screen_streams: ScreenStreamsTable;
};

/** The hub's database seen with the console's tables too (the migration list holds both). */
export const consoleDb = (db: Kysely<HubDb>): Kysely<ConsoleDb> => db as unknown as Kysely<ConsoleDb>;
