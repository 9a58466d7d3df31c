// Daily summaries: pure functions of one day's events, the earlier days' summaries and the time.
// The caller queries the store for the events and keeps the history (DESIGN section 1).
export { toFhirBundle } from './fhir.ts';
export {
  type NightInput,
  type NightSummary,
  nightPayload,
  RECENT_MS,
  summarizeNight,
  UP_FOR_MS,
  type UpBelief,
  upNow,
} from './night.ts';
export { type SummaryInput, summarizeDay, summaryFromPayload, summaryPayload } from './summary.ts';
export { type DaySummary, DEFAULT_OPTIONS, type SummaryOptions } from './types.ts';
