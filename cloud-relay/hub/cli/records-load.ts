// `hearth hub records load FILE --by NAME --config HUB.yaml`: residents' records from a file into
// the hub's database, in one transaction, each audited as an edit by NAME naming the fields it
// changed (never a value). A file with any problem changes nothing, and every problem is printed.
import { loadHubConfig, readBounded } from '../../../config/load.ts';
import { EXIT } from '../../../core/process.ts';
import { audit } from '../audit.ts';
import { consoleDb } from '../console-tables.ts';
import { openDb } from '../db.ts';
import { dbTarget } from '../hub.ts';
import { putRecord, recordDb, recordOf } from '../records.ts';
import { MAX_FILE_BYTES, parseRecordsFile } from '../records-file.ts';
import { badAuditName } from '../resident-input.ts';
import { changedFields } from '../resident-record.ts';
import { HubStore } from '../store.ts';

export async function hubRecordsLoadCommand(
  file: string,
  o: { config: string; by: string },
  now = Date.now(),
): Promise<{ code: number; text: string }> {
  const fail = (text: string) => ({ code: EXIT.badInput, text });
  const { config, problems } = loadHubConfig(o.config, { strictRefs: true });
  if (!config)
    return fail(
      `${o.config}: not a valid hub file (${problems.length} problem(s)); run hearth check-config ${o.config}`,
    );
  const badBy = badAuditName(o.by);
  if (badBy) return fail(`hearth hub records load: ${badBy}`);
  const by = o.by.trim();
  let text: string;
  try {
    // A regular file only, read to the bound: /dev/zero or a FIFO would never end.
    text = readBounded(file, MAX_FILE_BYTES);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(
      code === 'TOOBIG'
        ? `${file}: over the ${MAX_FILE_BYTES}-byte limit`
        : code === 'NOTFILE'
          ? `${file}: not a regular file; records are read from a file`
          : `${file}: cannot be read (${(e as Error).message})`,
    );
  }
  const store = new HubStore(openDb(dbTarget(config, o.config)).db);
  try {
    await store.migrate();
    const staff = await consoleDb(store.db)
      .selectFrom('staff')
      .select('name')
      .where('disabled', '=', 0)
      .execute();
    const parsed = parseRecordsFile(text, new Set(staff.map((s) => s.name)));
    if (!parsed.ok)
      return fail(
        [
          ...parsed.problems.map((p) => `${file}: ${p}`),
          `${file}: ${parsed.problems.length} problem(s); nothing loaded`,
        ].join('\n'),
      );
    const counts = { added: 0, changed: 0, same: 0 };
    await store.tx(async (t) => {
      for (const r of parsed.records) {
        const before = await recordOf(recordDb(t), r.resident);
        const changed = changedFields(before && 'record' in before ? before.record : null, r);
        if (before && changed.length === 0) {
          counts.same++;
          continue;
        }
        counts[before ? 'changed' : 'added']++;
        await putRecord(recordDb(t), r, by, now);
        await audit(
          consoleDb(t),
          {
            staff: by,
            action: 'edit-record',
            resident: r.resident,
            target: 'file',
            outcome: 'ok',
            detail: `changed: ${changed.join(', ')}`,
          },
          now,
        );
      }
    });
    return {
      code: EXIT.ok,
      text: `${file}: ${parsed.records.length} record(s): ${counts.added} added, ${counts.changed} changed, ${counts.same} unchanged`,
    };
  } finally {
    await store.close();
  }
}
