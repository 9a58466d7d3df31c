// A version-1 summary message as a FHIR R4 Bundle (type collection) of Observations about the
// resident, with LOINC codes where LOINC has one (sleep duration 93832-4: bedtime to wake; heart rate 8867-4, steps
// in 24 hours 41950-7, room temperature 60832-3) and Hearth's own codes for the rest. Shared by the
// gateway and the trust's hub: it reads the message, never the home's code.
import { createHash } from 'node:crypto';
import { type CodeableConcept, type Component, drafts, type Value } from './fhir-figures.ts';
import type { SummaryMessage } from './messages.ts';

export { HEARTH_CODES, LOINC, UCUM } from './fhir-figures.ts';

/** The system of the resident's pseudonymous id. */
export const HEARTH_RESIDENT = 'urn:hearth:resident';
/** The system of a summary message's id, which names the Bundle. */
export const HEARTH_SUMMARY = 'urn:hearth:summary';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

export type FhirObservation = {
  resourceType: 'Observation';
  id: string;
  status: 'final';
  category?: CodeableConcept[];
  code: CodeableConcept;
  subject: { identifier: { system: string; value: string } };
  effectivePeriod?: { start: string; end: string };
  effectiveDateTime?: string;
  issued: string;
  method?: CodeableConcept;
  referenceRange?: { text: string }[];
  component?: Component[];
} & Partial<Value>;

export type FhirBundle = {
  resourceType: 'Bundle';
  id: string;
  identifier: { system: string; value: string };
  type: 'collection';
  timestamp: string;
  entry: { fullUrl: string; resource: FhirObservation }[];
};

/** A name-based UUID (version 5 layout): the same summary always gives the same ids. */
function uuidOf(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  const variant = ((Number.parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const CATEGORY_DISPLAY = { activity: 'Activity', 'vital-signs': 'Vital Signs' } as const;

/** The summary as a FHIR R4 Bundle of Observations about the resident (by pseudonymous id). */
export function summaryBundle(m: SummaryMessage): FhirBundle {
  const s = m.sleep;
  const night = s.bedtime && s.wake ? { start: s.bedtime, end: s.wake } : null;
  const source = s.source === 'none' ? 'no sleep source' : `${s.source} sensor`;
  const method = { text: s.confidence ? `${source}, confidence ${s.confidence}` : source };
  const usual = new Map(m.baselines.map((b) => [b.figure, b]));
  const entry = drafts(m).map((d) => {
    // Named by resident, day and figure, not by message: a newer summary of the day, sent to a
    // care record again, updates the day's Observations there rather than adding a second set.
    const id = uuidOf(`${m.resident}/${m.date}/${d.key}`);
    const b = d.figure ? usual.get(d.figure) : undefined;
    const resource: FhirObservation = {
      resourceType: 'Observation',
      id,
      status: 'final',
      ...(d.category
        ? {
            category: [
              { coding: [{ system: CATEGORY, code: d.category, display: CATEGORY_DISPLAY[d.category] }] },
            ],
          }
        : {}),
      code: d.code,
      subject: { identifier: { system: HEARTH_RESIDENT, value: m.resident } },
      // A figure of the night spans the sleep period; a figure of the day is dated with the day.
      ...(d.of === 'night' && night ? { effectivePeriod: night } : { effectiveDateTime: m.date }),
      issued: m.at,
      ...d.value,
      ...(d.sourced ? { method } : {}),
      ...(b
        ? { referenceRange: [{ text: `Usual: ${b.median} (median of the previous ${b.days} days)` }] }
        : {}),
      ...(d.component?.length ? { component: d.component } : {}),
    };
    return { fullUrl: `urn:uuid:${id}`, resource };
  });
  return {
    resourceType: 'Bundle',
    id: uuidOf(m.id),
    identifier: { system: HEARTH_SUMMARY, value: m.id },
    type: 'collection',
    timestamp: m.at,
    entry,
  };
}
