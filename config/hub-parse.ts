// parse -> check for the hub file, with the provisioning file's wording and line-precise places.
// Pure: references are resolved by the loader.
import { parseDocument } from 'yaml';
import { boundsProblem } from './bounds.ts';
import { type HubConfig, hubConfigSchema, signaturesOf } from './hub-schema.ts';
import { nodeAt, type ParseResult, readDocument, schemaProblems, sortProblems } from './parse.ts';
import type { Path, Problem } from './problems.ts';
import { withoutSecrets } from './secrets.ts';

export type HubParseResult = Omit<ParseResult, 'config'> & { config?: HubConfig };

type Finding = Omit<Problem, 'line' | 'col'>;

/** A hub file is told from a provisioning file by its top-level `hub:` section. */
export const isHubDocument = (raw: unknown): boolean =>
  raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'hub' in raw;

/** What the schema cannot say field by field. */
export function checkHubConfig(c: HubConfig): Finding[] {
  const out: Finding[] = [];
  const err = (path: Path, message: string) => out.push({ severity: 'error', path, message });
  if (!c.homes.accept_any && c.homes.expected.length === 0)
    err(['homes'], 'no homes: list them under homes.expected, or set homes.accept_any: true');
  const seen = new Set<string>();
  c.homes.expected.forEach((h, i) => {
    if (seen.has(h.gateway))
      err(['homes', 'expected', i, 'gateway'], `gateway "${h.gateway}" is listed twice; one row per home`);
    seen.add(h.gateway);
  });
  if (Boolean(c.broker.cert) !== Boolean(c.broker.key))
    err(['broker', c.broker.cert ? 'key' : 'cert'], 'a client certificate needs both cert and key');
  if (c.broker.password && !c.broker.username)
    err(['broker', 'username'], 'a password is given without a username');
  if (signaturesOf(c) === 'required' && !c.homes.ca && !c.broker.ca)
    err(
      ['homes', 'signatures'],
      "signatures are required, so the hub needs the CA that issues homes' certificates: set homes.ca (or broker.ca), or signatures: off in a lab",
    );
  if (c.broker.probe && !c.broker.ca)
    err(['broker', 'probe'], 'the probe signs in like a home, over TLS: set broker.ca');
  const record = c.fhir && new URL(c.fhir.url);
  if (record?.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(record.hostname))
    out.push({
      severity: 'warning',
      path: ['fhir', 'url'],
      message: `no TLS to the care record: each day's health figures${c.fhir?.token ? ' and the token' : ''} would cross the network in clear; use https://`,
    });
  if (c.database.url && c.database.dir)
    err(['database', 'dir'], 'dir is for the embedded database; with a url it is not used: remove one');
  return out;
}

export function parseHubText(text: string, opts: { json?: boolean } = {}): HubParseResult {
  const read = readDocument(text, opts);
  if ('problems' in read) return read;
  const { raw, root, at } = read;
  if (!isHubDocument(raw))
    return {
      problems: [
        {
          severity: 'error',
          path: [],
          line: 1,
          col: 1,
          message: 'expected a hub file: a mapping with version: 1, hub, broker, database, web, homes',
        },
      ],
    };
  const locate = (path: Path, atKey = false) => {
    const { node, key } = nodeAt(root, path);
    const target = key && atKey ? key : node;
    return target?.range ? at(target.range[0]) : { line: 1, col: 1 };
  };
  const parsed = hubConfigSchema.safeParse(raw);
  if (!parsed.success)
    return {
      raw,
      locate,
      problems: sortProblems(
        withoutSecrets(schemaProblems(hubConfigSchema, raw, parsed.error.issues, locate), raw, locate),
      ),
    };
  const checked = checkHubConfig(parsed.data).map((f): Problem => ({ ...f, ...locate(f.path) }));
  const problems = sortProblems(withoutSecrets(checked, raw, locate));
  const failed = problems.some((p) => p.severity === 'error');
  return { raw, locate, config: failed ? undefined : parsed.data, problems };
}

/** A cheap look at the top-level keys, to tell a hub file from a provisioning file. */
export function isHubText(text: string): boolean {
  // Out of bounds, it is no file of either kind; the loader says why.
  if (boundsProblem(text)) return false;
  try {
    return isHubDocument(parseDocument(text, { logLevel: 'error' }).toJS({ maxAliasCount: 100 }));
  } catch {
    return false;
  }
}
