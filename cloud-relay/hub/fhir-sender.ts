// Sends the queued days (fhir-tables.ts) to the care record named in the hub file: each bundle
// POSTed to the FHIR base as a transaction, retried with a growing wait until the record accepts
// it; a refusal (a 4xx with its OperationOutcome) is kept for admins and offered again a day
// later, or at once when a newer summary of the day replaces it. Several instances may run it: each claims a row by moving
// its next attempt on first, and a bundle sent twice updates the same Observations (PUT by id).
import type { Kysely } from 'kysely';
import type { Logger } from '../../core/log.ts';
import type { FhirBundle } from '../protocol/fhir.ts';
import { type FhirDb, fhirDb } from './fhir-tables.ts';
import { retryDelay, transactionBundle, type Verdict, verdictOf } from './fhir-transaction.ts';
import type { HubDb } from './tables.ts';

export type FhirSenderDeps = {
  db: Kysely<HubDb>;
  log: Logger;
  now: () => number;
  url: string;
  token?: string;
  fetch?: typeof fetch;
};

/** Days sent per pass; the rest wait for the next. */
const BATCH = 20;
/** A claimed row is another instance's for this long (an answer waits at most ANSWER_MS). */
const CLAIM_MS = 2 * 60_000;
const ANSWER_MS = 60_000;
/**
 * A refused day is offered again this much later: what the record refused for (a patient it did
 * not know) may have been put right there meanwhile. Until then it is listed for admins.
 */
const REFUSED_AGAIN_MS = 86_400_000;

export type SendPass = { accepted: number; refused: number; retried: number };

export class FhirSender {
  readonly #db: Kysely<FhirDb>;
  #running: Promise<SendPass> | null = null;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly d: FhirSenderDeps) {
    this.#db = fhirDb(d.db);
  }

  /** Passes every `everyMs`; each failure is logged and the next pass tries again. */
  start(everyMs: number): void {
    const tick = () => {
      void this.runNow()
        .catch((err) => this.d.log.error({ err: (err as Error).message }, 'hub: FHIR pass failed'))
        .finally(() => {
          this.#timer = setTimeout(tick, everyMs);
          this.#timer.unref();
        });
    };
    this.#timer = setTimeout(tick, everyMs);
    this.#timer.unref();
  }

  /** One pass over the days due now; a pass under way is joined, not doubled. */
  runNow(): Promise<SendPass> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
    clearTimeout(this.#timer);
  }

  async #pass(): Promise<SendPass> {
    const now = this.d.now();
    const due = await this.#db
      .selectFrom('fhir_outbox')
      .innerJoin('summaries', (j) =>
        j
          .onRef('summaries.resident', '=', 'fhir_outbox.resident')
          .onRef('summaries.date', '=', 'fhir_outbox.date'),
      )
      .select([
        'fhir_outbox.resident',
        'fhir_outbox.date',
        'fhir_outbox.attempts',
        'fhir_outbox.next_at',
        'fhir_outbox.message_id',
        'summaries.fhir',
      ])
      .where('fhir_outbox.sent_at', 'is', null)
      .where('fhir_outbox.next_at', '<=', now)
      .orderBy('fhir_outbox.next_at')
      .limit(BATCH)
      .execute();
    const pass: SendPass = { accepted: 0, refused: 0, retried: 0 };
    for (const row of due) {
      if (!(await this.#claim(row, now))) continue;
      const verdict = await this.#send(JSON.parse(row.fhir) as FhirBundle);
      await this.#record(row, verdict);
      pass[verdict.kind === 'accepted' ? 'accepted' : verdict.kind === 'refused' ? 'refused' : 'retried']++;
    }
    return pass;
  }

  /** True when this instance moved the row's next attempt on first. */
  async #claim(row: { resident: string; date: string; next_at: number }, now: number): Promise<boolean> {
    const r = await this.#db
      .updateTable('fhir_outbox')
      .set({ next_at: now + CLAIM_MS })
      .where('resident', '=', row.resident)
      .where('date', '=', row.date)
      .where('next_at', '=', row.next_at)
      .where('sent_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async #send(bundle: FhirBundle): Promise<Verdict> {
    try {
      const res = await (this.d.fetch ?? fetch)(this.d.url.replace(/\/$/, ''), {
        method: 'POST',
        headers: {
          'content-type': 'application/fhir+json',
          accept: 'application/fhir+json',
          ...(this.d.token ? { authorization: `Bearer ${this.d.token}` } : {}),
        },
        body: JSON.stringify(transactionBundle(bundle)),
        signal: AbortSignal.timeout(ANSWER_MS),
      });
      return verdictOf(res.status, await textAtMost(res, MAX_ANSWER_BYTES));
    } catch (err) {
      return { kind: 'retry', why: (err as Error).message };
    }
  }

  /** What became of the bundle sent; nothing when a newer summary of the day queued it again meanwhile. */
  async #record(
    row: { resident: string; date: string; attempts: number; message_id: string },
    v: Verdict,
  ): Promise<void> {
    const now = this.d.now();
    const attempts = row.attempts + 1;
    const set =
      v.kind === 'accepted'
        ? { attempts, sent_at: now, last_error: null, refused_at: null, refusal: null }
        : v.kind === 'refused'
          ? { attempts, refused_at: now, refusal: v.outcome, next_at: now + REFUSED_AGAIN_MS }
          : { attempts, last_error: v.why.slice(0, 500), next_at: now + retryDelay(attempts) };
    await this.#db
      .updateTable('fhir_outbox')
      .set(set)
      .where('resident', '=', row.resident)
      .where('date', '=', row.date)
      .where('message_id', '=', row.message_id)
      .execute();
    const day = { resident: row.resident, date: row.date, attempts };
    if (v.kind === 'accepted') this.d.log.info(day, `hub: FHIR day ${row.date} of ${row.resident} accepted`);
    else if (v.kind === 'refused')
      this.d.log.warn(
        day,
        `hub: the care record refused the day ${row.date} of ${row.resident}: ${v.outcome}`,
      );
    else
      this.d.log.warn(day, `hub: FHIR day ${row.date} of ${row.resident} not sent (${v.why}); retried later`);
  }
}

/** The days the record refused, newest first, for admins. */
export function fhirRefusals(db: Kysely<HubDb>) {
  return fhirDb(db)
    .selectFrom('fhir_outbox')
    .select(['resident', 'date', 'message_id', 'refused_at', 'refusal', 'attempts'])
    .where('refused_at', 'is not', null)
    .orderBy('refused_at', 'desc')
    .limit(200)
    .execute();
}

/** How many days wait to be sent, since when, and the last reason one was not, for admins. */
export async function fhirWaiting(db: Kysely<HubDb>) {
  const rows = await fhirDb(db)
    .selectFrom('fhir_outbox')
    .select(['queued_at', 'last_error'])
    .where('sent_at', 'is', null)
    .where('refused_at', 'is', null)
    .orderBy('queued_at')
    .execute();
  return {
    count: rows.length,
    oldest: rows[0]?.queued_at ?? null,
    lastError: rows.find((r) => r.last_error)?.last_error ?? null,
  };
}

/** What of a record's answer is read: an OperationOutcome's words, never a body without end. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The body's first `max` bytes as text; the rest is not read (the stream is cancelled). */
async function textAtMost(res: Response, max: number): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}
