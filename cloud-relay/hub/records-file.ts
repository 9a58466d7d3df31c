// A file of residents' records, for a trust onboarding many at once (`hearth hub records load`):
// YAML or JSON (YAML reads both), a list under `records:` or a bare list, each record through the
// one schema the console's form uses. Every problem of every record named in one pass; the file
// is taken whole or not at all. Pure.
import { parse } from 'yaml';
import { z } from 'zod';
import { type ResidentRecord, recordProblems, recordSchema } from './resident-record.ts';

export const MAX_FILE_BYTES = 8 * 1024 * 1024;
export const MAX_RECORDS = 10_000;

const fileSchema = z.union([
  z.array(z.unknown()),
  z.strictObject({ version: z.literal(1).optional(), records: z.array(z.unknown()) }),
]);

export type RecordsFile = { ok: true; records: ResidentRecord[] } | { ok: false; problems: string[] };

export function parseRecordsFile(text: string, accounts: ReadonlySet<string>): RecordsFile {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_FILE_BYTES)
    return { ok: false, problems: [`the file is ${bytes} bytes, over the ${MAX_FILE_BYTES}-byte limit`] };
  let doc: unknown;
  try {
    // A few aliases at most: a file of records has no need of them, and each may multiply it.
    doc = parse(text, { maxAliasCount: 10, uniqueKeys: true });
  } catch (e) {
    return { ok: false, problems: [`not YAML nor JSON: ${(e as Error).message.split('\n')[0]}`] };
  }
  const top = fileSchema.safeParse(doc);
  if (!top.success) return { ok: false, problems: ['expected a list of records, or `records:` holding one'] };
  const items = Array.isArray(top.data) ? top.data : top.data.records;
  if (items.length > MAX_RECORDS)
    return { ok: false, problems: [`${items.length} records, over the limit of ${MAX_RECORDS} in one file`] };
  const problems: string[] = [];
  const records: ResidentRecord[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const raw = item as { resident?: unknown; responders?: unknown } | null;
    const id = typeof raw?.resident === 'string' ? raw.resident.slice(0, 100) : undefined;
    const at = `record ${i + 1}${id ? ` (${id})` : ''}`;
    const p = recordSchema.safeParse(item);
    if (!p.success) for (const x of recordProblems(p.error)) problems.push(`${at}: ${x}`);
    else {
      if (seen.has(p.data.resident)) problems.push(`${at}: ${p.data.resident} is in the file twice`);
      seen.add(p.data.resident);
      records.push(p.data);
    }
    // Named whether or not the rest passed: one pass finds every problem.
    const responders = Array.isArray(raw?.responders) ? (raw.responders as { staff?: unknown }[]) : [];
    responders.forEach((r, j) => {
      if (typeof r?.staff === 'string' && r.staff && !accounts.has(r.staff))
        problems.push(`${at}: responder ${j + 1}: there is no console account "${r.staff.slice(0, 100)}"`);
    });
  });
  return problems.length ? { ok: false, problems } : { ok: true, records };
}
