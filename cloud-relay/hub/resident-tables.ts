// Which of the hub's rows are about one resident, table by table: read by `hearth hub resident
// export` (a subject access request) and `erase` (an erasure request) alike, so what is given and
// what is deleted cannot drift apart. Every table of the hub is in one of the two lists below;
// test/hub-resident-rights.test.ts reads a fresh database's schema and fails on one that is in
// neither, so a table added later is placed here before it ships. One line per table.

/** How a table's rows belong to a resident. */
export type Belongs =
  /** A column holding her resident id. */
  | { by: 'resident'; column: string }
  /** A column holding the gateway id of one of her homes (homes.resident, residents.gateway). */
  | { by: 'gateway'; column: string }
  /**
   * (gateway, alert_id) of one of her alerts, or of the hub's own alert about one of her homes: an
   * alert's history, notes, claims, escalations, answer and closure.
   */
  | { by: 'alert' }
  /** Her id in `resident`, or a gateway of hers named within `text` (a log line about her home). */
  | { by: 'mention'; resident: string; text: string; key: string }
  /** A JSON column whose `about` names her or a gateway of hers (a push to a phone). */
  | { by: 'about'; column: string; key: string };

export type Holding = {
  table: string;
  belongs: Belongs;
  /**
   * Epoch-ms columns (the first not null counts) that date a row for `erase --before`. None: the
   * row is who she is now (her home, her ladder, her carers), kept by --before; an alert's rows
   * go with the alert, dated by its last state.
   */
  time?: readonly string[];
  /** Columns holding JSON text, given in an export as JSON rather than as a string. */
  json?: readonly string[];
};

const R = (column: string): Belongs => ({ by: 'resident', column });
const G = (column: string): Belongs => ({ by: 'gateway', column });
const A: Belongs = { by: 'alert' };

/** In erase order: rows found through her alerts first, the alerts, then the rest; her homes last. */
export const RESIDENT_TABLES: readonly Holding[] = [
  { table: 'alert_history', belongs: A },
  { table: 'alert_notes', belongs: A },
  { table: 'alert_claims', belongs: A },
  { table: 'alert_escalations', belongs: A },
  { table: 'alert_answers', belongs: A },
  { table: 'alert_closures', belongs: A },
  { table: 'alerts', belongs: R('resident'), time: ['state_received_at', 'state_at_ms'] },
  { table: 'test_calls', belongs: R('resident'), time: ['stored_at'] },
  { table: 'summaries', belongs: R('resident'), time: ['order_ms', 'at_ms'], json: ['json', 'fhir'] },
  { table: 'nights', belongs: R('resident'), time: ['order_ms'], json: ['json'] },
  { table: 'fhir_outbox', belongs: R('resident'), time: ['queued_at'] },
  { table: 'hub_alerts', belongs: G('gateway'), time: ['raised_at'] },
  { table: 'commands', belongs: G('gateway'), time: ['sent_at'], json: ['payload'] },
  { table: 'message_ids', belongs: G('gateway'), time: ['received_at'] },
  { table: 'rejected', belongs: G('gateway'), time: ['received_at'] },
  {
    table: 'push_outbox',
    belongs: { by: 'about', column: 'payload', key: 'id' },
    time: ['created'],
    json: ['payload'],
  },
  {
    table: 'audit',
    belongs: { by: 'mention', resident: 'resident', text: 'target', key: 'id' },
    time: ['at'],
  },
  { table: 'resident_records', belongs: R('resident'), json: ['next_of_kin', 'responders'] },
  { table: 'ladder_rungs', belongs: R('resident') },
  { table: 'staff_residents', belongs: R('resident') },
  { table: 'residents', belongs: R('resident') },
  { table: 'homes', belongs: R('resident') },
];

/** Tables that hold nothing about any resident, each with why. */
export const NO_RESIDENT_DATA: Readonly<Record<string, string>> = {
  staff: "staff accounts: a name, a role, a password hash, a carer's own push address",
  sessions: 'console sign-ins: a hash of the cookie, its CSRF token and times, per member of staff',
  signin_attempts: 'sign-in attempts by name or address, for the sign-in budget; no resident is named',
  signin_budget: 'the sign-in budget per name or address (a time), no resident',
  console_secrets: 'the secret that signs cookies',
  push_subscriptions: "staff phones' Web Push endpoints and keys",
  screens: 'devices marked as monitoring screens: a name, who marked it and when',
  screen_streams: "a screen's open live streams, by session: ids and a time",
  push_tokens_used: 'random ids of used push action tokens and their expiry, nothing about whom',
};
