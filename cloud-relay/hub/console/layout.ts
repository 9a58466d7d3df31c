// The page around every view: skip link, navigation by role, who is signed in, the sign-out
// form (with the session's CSRF token) and the live region the script announces into.
import type { Staff } from './access.ts';
import { type Html, html, trusted } from './html.ts';

export type PageCtx = {
  staff: Staff;
  csrf: string;
  path: string;
  idleMs: number;
  /** The monitoring screen this device was marked as (screens.ts), if any. */
  screen?: string;
  /** How often an urgent alert nobody has taken sounds again (client.ts). */
  toneEveryMs?: number;
};

const NAV = [
  { href: '/', label: 'Alerts' },
  { href: '/homes', label: 'Homes' },
  { href: '/history', label: 'History' },
];

export function page(ctx: PageCtx | null, o: { title: string; body: Html; live?: string[] }): Html {
  const nav = ctx
    ? [
        ...NAV,
        // Pushes go to carers and operators; an admin's work is the accounts, the ladders, the
        // audit log and what reaches the care record.
        ...(ctx.staff.role === 'admin'
          ? [
              { href: '/admin/ladders', label: 'Ladders' },
              { href: '/admin/records', label: 'Records' },
              { href: '/admin/audit', label: 'Audit' },
              { href: '/admin/fhir', label: 'Care record' },
              { href: '/admin/screen', label: 'Screen' },
              { href: '/admin/answer-times', label: 'Answer times' },
            ]
          : [{ href: '/push', label: 'Alerts on this phone' }]),
      ]
    : [];
  const current = (href: string) =>
    ctx && (href === '/' ? ctx.path === '/' : ctx.path.startsWith(href)) ? 'page' : undefined;
  return html`<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · Hearth care console</title>
<meta name="theme-color" content="#1d4e89">
<link rel="manifest" href="/manifest.webmanifest">
<link rel="icon" href="/static/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script>
</head>
<body data-live="${(o.live ?? []).join(' ')}" data-idle-ms="${ctx ? ctx.idleMs : 0}"${screenAttrs(ctx)}>
<a class="skip" href="#main">Skip to content</a>
<div id="lost" class="lost" role="alert" hidden></div>
<header class="top">
<a class="brand" href="/">Hearth care console</a>
${
  ctx
    ? html`<nav aria-label="Main"><ul>${nav.map(
        (n) =>
          html`<li><a href="${n.href}"${current(n.href) ? trusted(' aria-current="page"') : ''}>${n.label}</a></li>`,
      )}</ul></nav>
<div class="who">${ctx.screen ? html`<span class="badge screen" id="screen-name">Screen: ${ctx.screen}</span> ` : ''}<span>${ctx.staff.name} (${ctx.staff.role})</span>
<form id="signout" class="inline" method="post" action="/signout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">Sign out</button></form></div>`
    : ''
}
</header>
<main id="main">
<div id="announce" class="announce" role="alert" aria-live="assertive"></div>
${o.body}
</main>
</body>
</html>`;
}

/** A hidden field with the session's CSRF token, for every form that POSTs. */
export const csrfField = (ctx: PageCtx): Html => html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;

/** A screen's mark and the tone's repeat, for the script: a screen keeps no idle timer of its own. */
const screenAttrs = (ctx: PageCtx | null): Html =>
  html` data-tone-ms="${ctx?.toneEveryMs ?? 0}"${ctx?.screen ? trusted(' data-screen="1"') : ''}`;
