// The console's one stylesheet, served as /static/console.css. Colours keep 4.5:1 contrast or
// more on their background (WCAG 2.2 AA); layouts fold to one column under 40em (a phone).
export const CSS = `
:root { --ink:#1f1f1f; --muted:#4a4a4a; --line:#c8c8c8; --bg:#fafafa; --card:#fff; --link:#0b57a4;
  --urgent:#a4161a; --urgent-bg:#fde8e8; --high:#8a3b00; --high-bg:#fff0e0; --warning:#6b5200; --warning-bg:#fff8d6;
  --info:#1d4f86; --info-bg:#e6eef8; --ok:#1e6b34; --ok-bg:#e4f4e8; --focus:#ffbf47; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
a { color:var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, [tabindex]:focus-visible { outline:3px solid var(--focus); outline-offset:2px; box-shadow:0 0 0 5px var(--ink); }
.visually-hidden { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap; }
.skip { position:absolute; left:-999px; top:0; background:var(--card); padding:.5em 1em; }
.skip:focus { left:0; z-index:10; }
header.top { background:#16324f; color:#fff; padding:.5em 1em; display:flex; flex-wrap:wrap; gap:.5em 1.5em; align-items:center; }
header.top a { color:#fff; }
header.top .brand { font-weight:700; font-size:1.1em; text-decoration:none; }
header.top nav ul { list-style:none; display:flex; flex-wrap:wrap; gap:.25em 1em; margin:0; padding:0; }
header.top nav a[aria-current="page"] { font-weight:700; text-decoration-thickness:3px; }
header.top .who { margin-left:auto; display:flex; gap:.75em; align-items:center; flex-wrap:wrap; }
header.top button { background:transparent; color:#fff; border:1px solid #fff; border-radius:4px; padding:.3em .7em; font:inherit; cursor:pointer; min-height:44px; }
main { padding:1em; max-width:72em; margin:0 auto; }
h1 { font-size:1.5em; margin:.2em 0 .6em; }
h2 { font-size:1.2em; margin:1.4em 0 .5em; }
.toolbar { display:flex; flex-wrap:wrap; gap:.75em; align-items:center; margin-bottom:1em; }
button, .button { font:inherit; min-height:44px; padding:.45em 1em; border-radius:4px; border:1px solid #16324f; background:#16324f; color:#fff; cursor:pointer; text-decoration:none; display:inline-block; }
button.secondary { background:var(--card); color:#16324f; }
button[aria-pressed="true"] { background:#4a4a4a; border-color:#4a4a4a; }
ol.alerts, ul.cards { list-style:none; padding:0; margin:0; display:grid; gap:.75em; }
.alert { background:var(--card); border:1px solid var(--line); border-left:8px solid var(--line); border-radius:6px; padding:.75em 1em; }
.alert.sev-urgent { border-left-color:var(--urgent); }
.alert.sev-high { border-left-color:var(--high); }
.alert.sev-warning { border-left-color:var(--warning); }
.alert.sev-info { border-left-color:var(--info); }
.alert .reason { font-size:1.1em; font-weight:600; margin:.2em 0 .4em; }
.alert.answered { background:#f0f0f0; border-left-color:var(--muted); }
.alert.late-1 { background:var(--high-bg); }
.alert.late-2 { background:var(--urgent-bg); border-width:2px; border-left-width:12px; }
.alert.answered .reason { font-weight:400; }
.facts { display:flex; flex-wrap:wrap; gap:.2em 1.2em; margin:0; padding:0; list-style:none; color:var(--muted); }
.facts li strong { color:var(--ink); font-weight:600; }
.badge { display:inline-block; padding:.05em .5em; border-radius:999px; font-size:.85em; font-weight:700; border:1px solid currentColor; }
.badge.urgent { color:var(--urgent); background:var(--urgent-bg); }
.badge.high { color:var(--high); background:var(--high-bg); }
.badge.warning { color:var(--warning); background:var(--warning-bg); }
.badge.info { color:var(--info); background:var(--info-bg); }
.badge.ok { color:var(--ok); background:var(--ok-bg); }
.badge.silent { color:#fff; background:var(--urgent); border-color:var(--urgent); }
.actions { display:flex; flex-wrap:wrap; gap:.5em 1em; align-items:center; margin-top:.5em; }
.pending { color:var(--high); font-weight:600; }
.acked { color:var(--ok); font-weight:600; }
.announce { padding:.6em 1em; border-radius:6px; background:var(--urgent-bg); color:var(--urgent); font-weight:700; border:2px solid var(--urgent); }
.announce:empty { display:none; }
.table-wrap { position:relative; overflow-x:auto; max-width:100%; border:1px solid var(--line); border-radius:6px; background:var(--card); }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:.45em .6em; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef1f5; }
tr.silent td { background:var(--urgent-bg); }
form.inline { display:inline; margin:0; }
label { font-weight:600; display:block; margin:.4em 0 .2em; }
input[type=text], input[type=password], input[type=search], select, textarea { font:inherit; padding:.45em .6em; border:1px solid #6b6b6b; border-radius:4px; min-height:44px; width:100%; max-width:28em; background:#fff; color:var(--ink); }
.signin { max-width:24em; margin:3em auto; background:var(--card); padding:1.5em; border:1px solid var(--line); border-radius:8px; }
.error { color:var(--urgent); background:var(--urgent-bg); padding:.5em .8em; border-radius:4px; }
.muted { color:var(--muted); }
.plot { width:100%; max-width:620px; height:auto; display:block; background:var(--card); border:1px solid var(--line); border-radius:6px; }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit, minmax(18em, 1fr)); gap:1em; }
.legend { display:flex; gap:.3em; align-items:center; font-size:.9em; color:var(--muted); }
.legend span.sw { width:1em; height:1em; display:inline-block; border:1px solid var(--line); }
.sw0{background:#f2f4f7}.sw1{background:#d3e2f2}.sw2{background:#a9c8e8}.sw3{background:#6fa3d6}.sw4{background:#3b78b8}.sw5{background:#1d4f86}
.record-line { margin:.1em 0 .4em; }
.record-facts { display:grid; grid-template-columns:max-content 1fr; gap:.2em 1em; margin:0; }
.record-facts dt { font-weight:600; } .record-facts dd { margin:0; }
.multiline { white-space:pre-line; }
a.tel { font-weight:600; white-space:nowrap; }
.record-form input, .record-form textarea { font:inherit; padding:.45em .6em; border:1px solid #6b6b6b; border-radius:4px; min-height:44px; width:100%; max-width:28em; }
.record-form fieldset { border:1px solid var(--line); border-radius:6px; margin:1em 0; }
.record-form .row-group { display:grid; grid-template-columns:repeat(auto-fit, minmax(12em, 1fr)); gap:0 .75em; padding:.4em 0; border-bottom:1px solid var(--line); }
.hint { display:block; font-size:.9em; }
@media (max-width: 40em) { main { padding:.6em; } header.top .who { margin-left:0; } h1 { font-size:1.3em; } }
.key { list-style:none; display:flex; flex-wrap:wrap; gap:.3em 1.2em; padding:0; margin:.6em 0; }
.key li { display:flex; align-items:center; gap:.35em; }
.key .swatch { width:1.1em; height:1.1em; display:inline-block; border:1px solid #6e6e6e; }
.swatch.lv0{background:#fff}.swatch.lv1{background:#d9d9d9}.swatch.lv2{background:#a6a6a6}.swatch.lv3{background:#6e6e6e}.swatch.lv4{background:#303030}
.swatch.bed { background:#303030; height:.5em; } .swatch.out { height:.6em; background:repeating-linear-gradient(45deg,#1f1f1f 0 2px,#fff 2px 5px); border-color:#1f1f1f; }
.plot.strips { max-width:720px; border:none; }
.strips-wrap { max-width:722px; } .strips-wrap .plot.strips { min-width:600px; }
.toolbar select { width:auto; }
.missing-note { border-left:6px solid var(--high); padding:.4em .8em; background:var(--high-bg); }
tr.no-data td { font-style:italic; color:var(--muted); }
ul.notes { margin:.3em 0 0; padding-left:1.2em; }
.inline-label { display:inline; }
@page { size:A4; margin:14mm 12mm; }
@media print {
  header.top, .skip, .announce, .no-print { display:none !important; }
  body { background:#fff; color:#000; font-size:10.5pt; }
  main { max-width:none; padding:0; }
  a { color:#000; text-decoration:none; }
  .muted, tr.no-data td { color:#000; }
  .week { break-before:page; }
  h2, h3 { break-after:avoid; }
  tr, .plot, .key li { break-inside:avoid; }
  .table-wrap { overflow:visible; border:none; }
  th { background:#fff; } th, td { border-bottom:1px solid #000; padding:.2em .4em; }
  .plot { border:none; max-width:100%; } .strips-wrap { max-width:none; } .strips-wrap .plot.strips { min-width:0; }
  .badge { color:#000 !important; background:#fff !important; border-color:#000 !important; }
  .missing-note { background:#fff; border-left-color:#000; }
  * { -webkit-print-color-adjust:exact; print-color-adjust:exact; }
}
.lost { position:sticky; top:0; z-index:20; background:var(--urgent); color:#fff; font-size:1.4em; font-weight:700; padding:.8em 1em; text-align:center; border-bottom:6px solid #5c0b0d; }
.lost a { color:#fff; }
body.is-lost main { outline:8px solid var(--urgent); outline-offset:-8px; }
.badge.screen { color:#16324f; background:#fff; }
button#mute.silenced { background:var(--high-bg); color:var(--high); border:3px solid var(--high); }
.screen-mark { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:1em; max-width:40em; }
/* A phone: the header is two short rows (the name and sign-out, then the links), not five. */
@media (max-width: 40em) {
  header.top { gap:.1em .8em; padding:.2em .6em; font-size:.9em; }
  header.top .brand { font-size:1em; }
  header.top .who { order:2; margin-left:auto; }
  header.top .who > span:not(.badge) { display:none; }
  header.top .who button { min-height:32px; padding:.1em .6em; }
  header.top nav { order:3; flex-basis:100%; }
  header.top nav ul { gap:.1em .9em; }
  /* Each link a 24 px touch target however many an admin's menu wraps to (WCAG 2.2, 2.5.8). */
  header.top nav a { display:inline-block; min-height:24px; line-height:24px; }
}
.in-words { font-size:1.1em; background:var(--card); border:1px solid var(--line); border-left:6px solid var(--info); border-radius:6px; padding:.6em .9em; margin:0 0 1em; }
.in-words p { margin:.2em 0; }
/* A plot scaled to a phone (about 0.6 of its width in units): its text stays 11 CSS px or more. */
@media (max-width: 40em) { .plot text { font-size:18px; } .plot text.marks { display:none; } }
input[type=datetime-local] { font:inherit; min-height:44px; padding:.45em .6em; border:1px solid #6b6b6b; border-radius:4px; }
details.tables > summary { cursor:pointer; font-weight:600; padding:.6em 0; }
`;
