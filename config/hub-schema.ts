// The trust's hub file (`hearth hub --config HUB.yaml`), version 1: the trust broker it listens
// on, the database that is its only state, the web listener, supervision limits and the homes it
// expects. Like the provisioning file, this schema is the documentation and holds every default.

import { z } from 'zod';
import { consoleSchema } from './calls-schema.ts';
import { duration, identifier, secretRef, timeZone } from './values.ts';

const PG_URL_RE = /^postgres(ql)?:\/\/\S+$/;

const broker = z
  .strictObject({
    url: z
      .string({ error: 'expected the trust broker address, mqtts://host:port' })
      .regex(/^(mqtts?|wss?):\/\/[^\s/:]+(:\d+)?\/?$/, {
        error: 'expected mqtts://host:port (or mqtt://, ws://, wss://)',
      })
      .describe('The trust broker the homes publish to; mqtts:// with TLS outside a lab.'),
    ca: z.string().optional().describe('PEM file of the CA that signed the broker certificate.'),
    cert: z.string().optional().describe("The hub's client certificate (PEM)."),
    key: z.string().optional().describe("The hub's private key (PEM)."),
    username: z.string().optional(),
    password: secretRef.optional(),
    share: z
      .boolean()
      .default(false)
      .describe(
        "Instances share the homes' messages (an MQTT 5 shared subscription, $share/hearth-hub/...): each goes to one instance, so more instances take more. Off: every instance takes every message, and the others' repeats are dropped: more instances add only safety.",
      ),
    probe: z
      .strictObject({
        cert: z
          .string()
          .describe('PEM certificate of a home identity that is no real home (CN hearth-acl-probe).'),
        key: z.string().describe('Its private key (PEM).'),
      })
      .optional()
      .describe(
        "An identity the hub signs in as at start, to try publishing on another home's topic: a warning and a hub alert when the broker lets it.",
      ),
  })
  .describe('The trust broker. Each hub instance keeps its own persistent session on it.');

const database = z
  .strictObject({
    url: z
      .union([secretRef, z.string().regex(PG_URL_RE)], {
        error: 'expected postgres://user@host:5432/db, or a reference ${env:NAME} holding one',
      })
      .optional()
      .describe('PostgreSQL, by URL or by reference (the URL may hold a password). Absent: embedded SQLite.'),
    dir: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Folder of the embedded SQLite database when no url is given; default: hub-data beside this file.',
      ),
  })
  .prefault({})
  .describe("The hub's only state. Several instances share one PostgreSQL; SQLite is for one instance.");

const home = z.strictObject({
  gateway: identifier('gateway id').describe('gateway.id of the home’s provisioning file.'),
  resident: identifier('resident id').describe('The resident’s pseudonymous id.'),
  heartbeat: duration.optional().describe("The home's schedules.heartbeat; default homes.heartbeat."),
});

export const hubConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1, { error: 'expected version: 1 (the only schema version)' }),
    hub: z
      .strictObject({
        instance: identifier('instance name')
          .optional()
          .describe('Names this instance (MQTT client id hub-{instance}); default: the host name.'),
        timezone: timeZone,
      })
      .describe('This hub instance.'),
    broker,
    database,
    web: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080).describe('0: any free port.'),
        public_url: z
          .url({ protocol: /^https?$/, error: 'expected the address carers open, https://care.example.org' })
          .optional()
          .describe('The console as carers reach it, for the link in a push; default http://host:port.'),
        tls: z
          .strictObject({
            cert: z.string().describe('PEM certificate (chain) of the console.'),
            key: z.string().describe('Its private key (PEM).'),
          })
          .optional()
          .describe('Serve the console over HTTPS itself (cookies Secure, HSTS); absent: plain HTTP.'),
        trust_proxy: z
          .array(z.string().min(1))
          .default([])
          .describe(
            'Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed.',
          ),
      })
      .prefault({})
      .describe('The care console and its JSON API (GET /healthz, /api/alerts, POST /api/alerts/:id/ack).'),
    console: consoleSchema,
    supervision: z
      .strictObject({
        interval: duration.prefault('200s').describe('How often homes are checked.'),
        silent_after: z
          .number()
          .int()
          .min(2)
          .default(3)
          .describe('A home is silent once this many heartbeat intervals pass without one.'),
        clock_skew: duration.prefault('5m').describe("A message's `at` this far from receipt: clock alert."),
        undelivered_after: duration
          .prefault('10m')
          .describe('A home holding an alert it cannot deliver for this long: alert.'),
        queue_growing: z
          .number()
          .int()
          .min(2)
          .default(5)
          .describe('Heartbeats in a row with a growing queue before an alert.'),
        command_timeout: duration.prefault('1m').describe('A command unconfirmed this long is flagged.'),
        night: z
          .strictObject({ from: z.number().int().min(0).max(23), to: z.number().int().min(0).max(23) })
          .default({ from: 22, to: 7 })
          .describe('Hours (hub.timezone) when a silent gateway is urgent rather than high.'),
      })
      .prefault({}),
    test_calls: z
      .strictObject({
        ack: z
          .enum(['hub', 'operator'])
          .default('hub')
          .describe(
            "Who acknowledges a home's daily test call: the hub by itself as it stores it, or an operator from the console (the trust's choice).",
          ),
        missing_after: duration
          .prefault('26h')
          .describe(
            'A home that has made test calls with none completed (acknowledged and confirmed by the home) for this long: "daily test missing".',
          ),
      })
      .prefault({})
      .describe("Each home's daily test call (schedules.test_call in its provisioning file)."),
    homes: z
      .strictObject({
        accept_any: z
          .boolean()
          .default(false)
          .describe('Take any gateway the broker let in (its certificate signed by the CA).'),
        heartbeat: duration.prefault('60s').describe('Heartbeat interval of a home not listed.'),
        expected: z.array(home).default([]).describe('Homes this hub watches, silent or not.'),
        ca: z
          .string()
          .optional()
          .describe("PEM file of the CA that issues homes' client certificates; default broker.ca."),
        signatures: z
          .enum(['required', 'off'])
          .optional()
          .describe(
            'required: a message for gateway X is taken only when signed by a certificate from homes.ca whose CN or SAN is X. off: for a lab whose homes have no certificates. Default: required over TLS (mqtts://, wss://), off over plain mqtt://.',
          ),
      })
      .prefault({}),
    fhir: z
      .strictObject({
        url: z
          .url({
            protocol: /^https?$/,
            error: 'expected the FHIR R4 base of the care record, https://ehr.example.org/fhir',
          })
          .describe('The FHIR R4 base of the care record: each day is POSTed there as a transaction Bundle.'),
        token: secretRef.optional().describe('A bearer token for the record, by reference.'),
        every: duration.prefault('1m').describe('How often the queue of days is looked at.'),
      })
      .optional()
      .describe(
        "Send each resident's day (the summary's FHIR bundle) to the care record, retried until accepted; refusals are kept for admins (README: FHIR to the care record).",
      ),
    retention: z
      .strictObject({
        messages: duration
          .prefault('30d')
          .describe('Ids of stored messages, kept to drop repeats; a home holds nothing longer unsent.'),
        rejected: duration.prefault('30d').describe('Refused messages, kept with their reason.'),
        audit: duration.prefault('400d').describe('Who signed in and what they viewed or did.'),
        sessions: duration.prefault('1d').describe('Ended or expired console sessions, after they end.'),
        summaries: duration
          .prefault('400d')
          .describe(
            "Each day's summary (with its FHIR bundle) and night: a year to compare with the same season last year, and the 12 months in which a complaint may be made (NHS and social care complaints regulations 2009), with a month to answer. The care record is the record kept for years; the hub keeps a working copy.",
          ),
        alerts: duration
          .prefault('400d')
          .describe(
            'Alerts closed (acknowledged, resolved, cancelled) this long ago, with their history, notes and claims: the evidence of how each call was answered, through the 12-month complaint window and an inspection looking back a year. Open alerts are kept however old.',
          ),
        test_calls: duration
          .prefault('90d')
          .describe(
            "Daily test calls: a quarter shows the chain worked, as an inspection asks; they say nothing of a resident's life.",
          ),
        commands: duration
          .prefault('90d')
          .describe(
            'Commands sent to homes (acknowledgements, care modes) and their replies, for a quarter of fault finding.',
          ),
        fhir_sent: duration
          .prefault('30d')
          .describe(
            'Days the care record accepted: the receipt only, the bundle stays with the summary and in the record.',
          ),
        pushes: duration
          .prefault('30d')
          .describe(
            'Pushes that failed (sent ones are deleted at once): kept a month to see why a phone was not reached.',
          ),
        push_tokens: duration
          .prefault('1d')
          .describe(
            'Used action tokens, after they expire (an hour after sending): refused by their date by then.',
          ),
      })
      .prefault({})
      .describe('How long the hub keeps each kind of record; deleted in small batches.'),
  })
  .describe('Hearth hub file, schema version 1.');

export type HubConfig = z.infer<typeof hubConfigSchema>;
export type HubConfigInput = z.input<typeof hubConfigSchema>;
export type HomeRow = z.infer<typeof home>;

/** homes.signatures as it applies: required over TLS unless the file says otherwise. */
export const signaturesOf = (c: HubConfig): 'required' | 'off' =>
  c.homes.signatures ?? (/^(mqtts|wss):/.test(c.broker.url) ? 'required' : 'off');
