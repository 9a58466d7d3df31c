// The admin's view of the days sent to the care record (hub file: fhir): how many wait and why the
// last attempt failed, and each day the record refused, in the record's own words. A refused day
// is offered again a day later (the cause may have been put right at the record), or at once when
// a newer summary of it arrives.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { audit } from '../audit.ts';
import { fhirRefusals, fhirWaiting } from '../fhir-sender.ts';
import type { HubDb } from '../tables.ts';
import type { Console } from './context.ts';
import { dayAndClock } from './format.ts';
import { html } from './html.ts';

export function fhirRoutes(app: FastifyInstance, c: Console): void {
  app.get('/admin/fhir', async (req, reply) => {
    const g = await c.admin(req, reply, { action: 'view-fhir' });
    if (!g) return reply;
    const hub = c.db as unknown as Kysely<HubDb>;
    const [waiting, refused] = await Promise.all([fhirWaiting(hub), fhirRefusals(hub)]);
    await audit(c.db, { staff: g.staff.name, action: 'view-fhir', outcome: 'ok' }, c.d.now());
    const tz = c.d.timezone;
    const wait = waiting.count
      ? html`<p data-fhir-waiting="${waiting.count}">${waiting.count} day${waiting.count === 1 ? '' : 's'} waiting to be sent, the oldest queued ${dayAndClock(waiting.oldest ?? 0, tz)}${waiting.lastError ? html`; last attempt: ${waiting.lastError}` : ''}.</p>`
      : html`<p data-fhir-waiting="0">Every day has been sent.</p>`;
    return c.render(req, reply, g.ctx, {
      title: 'Care record',
      body: html`<h1>Care record (FHIR)</h1>${wait}
<h2>Refused by the record</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Days the record refused"><table>
<thead><tr><th scope="col">When</th><th scope="col">Resident</th><th scope="col">Day</th><th scope="col">The record said</th></tr></thead>
<tbody>${refused.map(
        (r) =>
          html`<tr data-fhir-refused="${r.resident}/${r.date}"><td>${dayAndClock(r.refused_at ?? 0, tz)}</td><td>${r.resident}</td><td>${r.date}</td><td>${r.refusal ?? ''}</td></tr>`,
      )}</tbody></table></div>`,
    });
  });
}
