// A resident's record at the trust, as the console shows it: a line on an alert card (name,
// address, the number to call back), the whole record on the alert and resident pages (the
// key-safe code on the alert page only, folded away so it is not on a wall screen), and the
// admin's form. Numbers are shown as typed and dialled in E.164.
import type { Rung } from '../../ladder.ts';
import type { ReadRecord, RecordLine } from '../../records.ts';
import {
  type Kin,
  MAX_KIN,
  MAX_RESPONDERS,
  type ResidentRecord,
  type Responder,
  telHref,
} from '../../resident-record.ts';
import { dayAndClock } from '../format.ts';
import { type Html, html } from '../html.ts';
import { csrfField, type PageCtx } from '../layout.ts';

const esc = encodeURIComponent;
export const recordPath = (resident: string) => `/admin/records/${esc(resident)}`;

/** A number to tap on a phone or click on a softphone; `label` says whose, for a screen reader. */
export const phoneLink = (typed: string, label: string): Html =>
  html`<a class="tel" href="${telHref(typed)}" aria-label="Call ${label}, ${typed}">${typed}</a>`;

const addLink = (ctx: PageCtx, resident: string): Html | string =>
  ctx.staff.role === 'admin' ? html` <a href="${recordPath(resident)}">Add her record</a>` : '';

/** One or two lines on an alert card; no key-safe code, no notes. */
export function recordCardLine(ctx: PageCtx, resident: string, r: RecordLine | undefined): Html {
  if (!r)
    return html`<p class="record-line muted">No record at the trust for ${resident}.${addLink(ctx, resident)}</p>`;
  const call = r.callbackPhone ?? r.phone;
  return html`<p class="record-line"><strong>${r.name}</strong>, ${r.address.replace(/\n+/g, ', ')}${
    call ? html`<br>Call back ${phoneLink(call, r.name)}` : ''
  }</p>`;
}

function kinList(kin: Kin[]): Html {
  if (!kin.length) return html`<p>None recorded.</p>`;
  return html`<ul>${kin.map(
    (k) => html`<li>${k.name}${k.relation ? html` (${k.relation})` : ''}: ${phoneLink(k.phone, k.name)}</li>`,
  )}</ul>`;
}

/** Where a responder with a console account stands on her escalation ladder. */
function onLadder(r: Responder, ladder: Rung[]): Html | string {
  if (!r.staff) return '';
  const rung = ladder.findIndex((x) => x.kind === 'staff' && x.target === r.staff);
  return rung >= 0
    ? html` <span class="badge info">console ${r.staff}, ladder rung ${rung + 1}</span>`
    : html` <span class="badge info">console ${r.staff}, not on her ladder</span>`;
}

function responderList(rs: Responder[], ladder: Rung[]): Html {
  if (!rs.length) return html`<p>None recorded.</p>`;
  return html`<ul>${rs.map(
    (r) =>
      html`<li>${r.name}${r.role ? html` (${r.role})` : ''}${r.phone ? html`: ${phoneLink(r.phone, r.name)}` : ''}${onLadder(r, ladder)}</li>`,
  )}</ul>`;
}

const multiline = (s: string): Html => html`<span class="multiline">${s}</span>`;

export type RecordView = {
  resident: string;
  read: ReadRecord;
  ladder: Rung[];
  /** The key-safe code, folded: the alert page only. */
  keySafe: boolean;
  tz: string;
};

/** The whole record, for an operator or her own carer; what is missing is said, with a way to add it. */
export function recordSection(ctx: PageCtx, v: RecordView): Html {
  const head = html`<h2 id="record-h">Her record at the trust</h2>`;
  if (v.read === null)
    return html`<section class="record" aria-labelledby="record-h" data-record="none">${head}<p>No record at the trust for ${v.resident}.${addLink(ctx, v.resident)}</p></section>`;
  if ('unreadable' in v.read)
    return html`<section class="record" aria-labelledby="record-h" data-record="unreadable">${head}<p class="error">Her record cannot be read (${v.read.unreadable}).${addLink(ctx, v.resident)}</p></section>`;
  const r: ResidentRecord = v.read.record;
  return html`<section class="record" aria-labelledby="record-h" data-record="${v.resident}">${head}
<dl class="record-facts">
<dt>Name</dt><dd id="record-name">${r.name}</dd>
<dt>Address</dt><dd>${multiline(r.address)}</dd>
${r.phone ? html`<dt>Her phone</dt><dd>${phoneLink(r.phone, r.name)}</dd>` : ''}
${r.callbackPhone ? html`<dt>Call-back number</dt><dd>${phoneLink(r.callbackPhone, `${r.name}, call-back`)}</dd>` : ''}
${r.nhsNumber ? html`<dt>NHS number</dt><dd>${r.nhsNumber.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3')}</dd>` : ''}
${r.accessNotes ? html`<dt>Getting in</dt><dd>${multiline(r.accessNotes)}</dd>` : ''}
${r.medicalNotes ? html`<dt>Medical notes</dt><dd>${multiline(r.medicalNotes)}</dd>` : ''}
</dl>
${v.keySafe && r.keySafe ? html`<details class="key-safe"><summary>Show the key-safe code</summary><p>Key-safe code: <strong id="key-safe-code">${r.keySafe}</strong></p></details>` : ''}
<h3>Next of kin</h3>${kinList(r.nextOfKin)}
<h3>Responders</h3>${responderList(r.responders, v.ladder)}
<p class="muted">Updated ${dayAndClock(v.read.updatedAt, v.tz)} by ${v.read.updatedBy}.${ctx.staff.role === 'admin' ? html` <a href="${recordPath(v.resident)}">Edit her record</a>` : ''}</p>
</section>`;
}

/** The form's values as typed (a refused form comes back as it was sent). */
export type FormValues = Record<string, string>;

export function valuesOf(r: ResidentRecord | null): FormValues {
  if (!r) return {};
  const v: FormValues = {
    name: r.name,
    address: r.address,
    phone: r.phone ?? '',
    callbackPhone: r.callbackPhone ?? '',
    keySafe: r.keySafe ?? '',
    accessNotes: r.accessNotes ?? '',
    medicalNotes: r.medicalNotes ?? '',
    nhsNumber: r.nhsNumber ?? '',
  };
  for (const [i, k] of r.nextOfKin.entries())
    Object.assign(v, {
      [`kin${i}-name`]: k.name,
      [`kin${i}-relation`]: k.relation ?? '',
      [`kin${i}-phone`]: k.phone,
    });
  for (const [i, x] of r.responders.entries())
    Object.assign(v, {
      [`resp${i}-name`]: x.name,
      [`resp${i}-role`]: x.role ?? '',
      [`resp${i}-phone`]: x.phone ?? '',
      [`resp${i}-staff`]: x.staff ?? '',
    });
  return v;
}

const input = (v: FormValues, id: string, label: string, o: { max: number; type?: string; hint?: string }) =>
  html`<div class="field"><label for="${id}">${label}</label>${o.hint ? html`<span class="muted hint" id="${id}-hint">${o.hint}</span>` : ''}<input id="${id}" name="${id}" type="${o.type ?? 'text'}" value="${v[id] ?? ''}" maxlength="${o.max}"${o.hint ? html` aria-describedby="${id}-hint"` : ''}></div>`;

const area = (v: FormValues, id: string, label: string, max: number) =>
  html`<label for="${id}">${label}</label><textarea id="${id}" name="${id}" rows="3" maxlength="${max}">${v[id] ?? ''}</textarea>`;

/** Rows of a repeated group: those filled and two more, up to its limit. */
const rowCount = (v: FormValues, prefix: string, max: number) => {
  let filled = 0;
  for (let i = 0; i < max; i++) if (v[`${prefix}${i}-name`] || v[`${prefix}${i}-phone`]) filled = i + 1;
  return Math.min(max, filled + 2);
};

function kinRows(v: FormValues): Html {
  return html`<fieldset><legend>Next of kin</legend>${Array.from(
    { length: rowCount(v, 'kin', MAX_KIN) },
    (_, i) => {
      const n = i + 1;
      return html`<div class="row-group" role="group" aria-label="Next of kin ${n}">${input(v, `kin${i}-name`, `Next of kin ${n}: name`, { max: 100 })}${input(v, `kin${i}-relation`, `Next of kin ${n}: relation`, { max: 60 })}${input(v, `kin${i}-phone`, `Next of kin ${n}: phone`, { max: 30, type: 'tel' })}</div>`;
    },
  )}</fieldset>`;
}

function responderRows(v: FormValues): Html {
  return html`<fieldset><legend>Responders (people who come)</legend>${Array.from(
    { length: rowCount(v, 'resp', MAX_RESPONDERS) },
    (_, i) => {
      const n = i + 1;
      return html`<div class="row-group" role="group" aria-label="Responder ${n}">${input(v, `resp${i}-name`, `Responder ${n}: name`, { max: 100 })}${input(v, `resp${i}-role`, `Responder ${n}: who they are`, { max: 60 })}${input(v, `resp${i}-phone`, `Responder ${n}: phone`, { max: 30, type: 'tel' })}${input(v, `resp${i}-staff`, `Responder ${n}: console account, if any`, { max: 100 })}</div>`;
    },
  )}</fieldset>`;
}

export function recordFormBody(ctx: PageCtx, resident: string, v: FormValues, problems: string[] = []): Html {
  return html`<h1>Record of ${resident}</h1>
<p><a href="/admin/records">All records</a> · <a href="/residents/${esc(resident)}">Resident ${resident}</a></p>
${problems.length ? html`<div class="problems error" role="alert" id="record-problems"><p>Not saved:</p><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
<p>Kept at the trust only; never sent to her home. Every view and every change is in the audit log.</p>
<form class="record-form" method="post" action="${recordPath(resident)}">${csrfField(ctx)}
${input(v, 'name', 'Name', { max: 120 })}
${area(v, 'address', 'Address', 300)}
${input(v, 'phone', 'Her phone', { max: 30, type: 'tel' })}
${input(v, 'callbackPhone', 'Call-back number', { max: 30, type: 'tel', hint: 'The number an operator rings her back on, if not her phone.' })}
${input(v, 'keySafe', 'Key-safe code', { max: 40, hint: 'Shown to operators on the alert page only, folded away.' })}
${area(v, 'accessNotes', 'Access notes (getting in)', 1000)}
${area(v, 'medicalNotes', 'Relevant medical notes', 2000)}
${input(v, 'nhsNumber', 'NHS number (optional)', { max: 20, hint: '10 digits; spaces allowed.' })}
${kinRows(v)}
${responderRows(v)}
<p><button type="submit">Save the record</button></p></form>`;
}

export function recordsListBody(rows: { resident: string; name: string | null }[]): Html {
  return html`<h1>Resident records</h1>
<p>The trust's own record of each resident: name, address, phones, getting in, next of kin, responders. Homes send only ids.</p>
<ul>${rows.map((r) => html`<li><a href="${recordPath(r.resident)}">${r.resident}</a>: ${r.name ?? 'no record yet'}</li>`)}</ul>`;
}
