// A day's bundle as the care record takes it, and what its answer means. Pure: the sender
// (fhir-sender.ts) does the I/O.
import { doubling } from '../../core/backoff.ts';
import type { FhirBundle } from '../protocol/fhir.ts';

export type TransactionBundle = {
  resourceType: 'Bundle';
  type: 'transaction';
  identifier: FhirBundle['identifier'];
  timestamp: string;
  entry: {
    fullUrl: string;
    resource: FhirBundle['entry'][number]['resource'];
    request: { method: 'PUT'; url: string };
  }[];
};

/**
 * The stored collection Bundle as a transaction. Each Observation is PUT at its own id (a name-
 * based UUID of the resident, the day and the figure, protocol/fhir.ts): a bundle sent again,
 * after a lost answer or a newer summary of the day, updates the same Observations instead of
 * adding copies.
 */
export function transactionBundle(b: FhirBundle): TransactionBundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    identifier: b.identifier,
    timestamp: b.timestamp,
    entry: b.entry.map((e) => ({
      fullUrl: e.fullUrl,
      resource: e.resource,
      request: { method: 'PUT', url: `Observation/${e.resource.id}` },
    })),
  };
}

export type Verdict =
  | { kind: 'accepted' }
  | { kind: 'refused'; outcome: string }
  | { kind: 'retry'; why: string };

/** Longest text of a refusal kept: an OperationOutcome of a whole bundle may list every entry. */
const MAX_OUTCOME = 8_000;

/**
 * What the record's answer means. 2xx: accepted. A 4xx is the record saying no to this bundle
 * (kept with its OperationOutcome and shown to admins; sending it again would get the same no),
 * but for 408 and 429, which ask to come back later, and 401/403, which a fixed token cures:
 * those, 5xx and no answer at all are retried.
 */
export function verdictOf(status: number, body: string): Verdict {
  if (status >= 200 && status < 300) return { kind: 'accepted' };
  const retryable = status >= 500 || [401, 403, 408, 429].includes(status);
  if (retryable) return { kind: 'retry', why: `HTTP ${status}${issues(body) ? `: ${issues(body)}` : ''}` };
  return { kind: 'refused', outcome: (issues(body) ?? `HTTP ${status}`).slice(0, MAX_OUTCOME) };
}

/** An OperationOutcome's issues in words ("error invalid: Observation.status: ..."), or null. */
export function issues(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const o = parsed as { resourceType?: unknown; issue?: unknown };
  if (o?.resourceType !== 'OperationOutcome' || !Array.isArray(o.issue)) return null;
  return o.issue
    .map((i: { severity?: unknown; code?: unknown; diagnostics?: unknown; expression?: unknown }) =>
      [
        `${String(i.severity ?? '')} ${String(i.code ?? '')}`.trim(),
        Array.isArray(i.expression) ? i.expression.join(', ') : '',
        typeof i.diagnostics === 'string' ? i.diagnostics : '',
      ]
        .filter(Boolean)
        .join(': '),
    )
    .join('; ');
}

/** Waits between attempts: 30 s, doubling, at most an hour; a record down for a day is tried hourly. */
export function retryDelay(attempts: number): number {
  return doubling(attempts, 30_000, 3_600_000);
}
