// A day's summary as a FHIR R4 Bundle: the same mapping the trust's hub uses, applied to the
// summary's own message so that both ends say the same thing.
import { type FhirBundle, summaryBundle } from '../../cloud-relay/protocol/fhir.ts';
import type { Config } from '../../config/schema.ts';
import { summaryPayload } from './summary.ts';
import type { DaySummary } from './types.ts';

export type { FhirBundle } from '../../cloud-relay/protocol/fhir.ts';

export const toFhirBundle = (summary: DaySummary, config: Config): FhirBundle =>
  summaryBundle(summaryPayload(summary, config));
