// The home's own status, retained on hearth/local/status (DESIGN.md section 5): for a dashboard
// in the home, the prompt device and `hearth status`. It never leaves the home, so its contract
// lives here, not in the protocol with the trust. One function checks it both ways: before the
// gateway publishes it (keys then come out in the schema's order) and when a tool reads it back.
import { z } from 'zod';
import { isoLocal } from '../cloud-relay/protocol/messages.ts';
import { parseJson } from '../core/json.ts';
import type { StatusReport } from './status-report.ts';

export const LOCAL_STATUS_VERSION = 1 as const;

const count = z.number().int().nonnegative();

const source = z.strictObject({
  source: z.string(),
  devices: z.array(z.string()),
  present: z.boolean(),
  detail: z.string(),
});

/** What `hearth status` shows from the database (status-report.ts), as the gateway last read it. */
const report = z.strictObject({
  gateway: z.string(),
  at: isoLocal,
  last_readings: z.array(
    z.strictObject({
      device: z.string(),
      room: z.string().nullable(),
      kind: z.string(),
      value: z.unknown(),
      at: isoLocal,
      // Optional: a status from a gateway of the version before still reads.
      battery: z.number().nullable().default(null),
    }),
  ),
  open_alerts: z.array(
    z.strictObject({ alert_id: z.string(), rule: z.string(), state: z.string(), at: isoLocal }),
  ),
  mode: z
    .strictObject({ mode: z.string(), since: isoLocal, until: isoLocal, by: z.string(), source: z.string() })
    .nullable(),
  queue: z.strictObject({
    depth: count,
    oldest_undelivered_alert: isoLocal.nullable(),
    awaiting_receipt: count,
    oldest_awaiting_receipt: isoLocal.nullable(),
  }),
  storage: z.strictObject({
    path: z.string(),
    bytes: count,
    free_bytes: count.nullable(),
    failing: z.string().nullable(),
  }),
  test_call: z
    .strictObject({
      alert_id: z.string(),
      sent_at: isoLocal,
      acked_at: isoLocal.nullable(),
      acked_by: z.string().nullable(),
      fault: z.string().nullable(),
    })
    .nullable(),
  last_backup: z.strictObject({ file: z.string(), at: isoLocal }).nullable(),
  clock: z.strictObject({ synchronized: z.boolean().nullable(), time_zone: z.string() }),
  versions: z.strictObject({ hearth: z.string(), node: z.string(), sqlite: z.string(), schema: z.number() }),
});

export const localStatus = z.strictObject({
  v: z.literal(LOCAL_STATUS_VERSION),
  at: isoLocal,
  sources: z.array(source),
  queue_depth: count,
  /** Whether alerts reach the trust: when not, carers are not being told. */
  delivery: z.strictObject({
    undelivered: z.boolean(),
    oldest_alert_age_s: z.number().nonnegative().nullable(),
    /** An alert at the trust broker that the hub has not confirmed storing in time (relay.receipts). */
    unconfirmed: z.boolean(),
    oldest_unconfirmed_alert_age_s: z.number().nonnegative().nullable(),
    reason: z.string().nullable(),
  }),
  clock: z.strictObject({ time_zone: z.string(), wall_clock_jumps: count }),
  counters: z.record(z.string(), z.number()),
  /** The report, or why the database could not give one this time. */
  report: report.optional(),
  report_error: z.string().optional(),
});
export type LocalStatus = z.infer<typeof localStatus>;

// The report's schema and status-report.ts's type say the same, or this does not compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameReport: Same<z.infer<typeof report>, StatusReport> = true;
void sameReport;

export type Checked = { ok: true; status: LocalStatus } | { ok: false; reason: string };

/** The one way the local status is made, and read back: checked, keys in the schema's order. */
export function checkLocalStatus(s: unknown): Checked {
  const r = localStatus.safeParse(s);
  if (r.success) return { ok: true, status: r.data };
  const i = r.error.issues[0];
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : '';
  return { ok: false, reason: `not a local status: ${i?.path.join('.') || 'payload'}: ${i?.message}${more}` };
}

/** A local status from the bytes on its topic, bounded before it is walked; never throws. */
export function readLocalStatus(payload: Buffer): Checked {
  const json = parseJson(payload, { maxBytes: 1024 * 1024, maxDepth: 16 });
  return json.ok ? checkLocalStatus(json.value) : { ok: false, reason: json.reason };
}
