// The console's one script, served as /static/console.js: on a live notice the page fetches its
// own content again and swaps it in; a new urgent alert is announced (a live region, a banner and
// a short tone the user can mute); waiting times count on; an idle page signs itself out. Pages
// work without it.
export const SCRIPT = `
(() => {
  const live = document.getElementById('live');
  const kinds = (document.body.dataset.live || '').split(' ').filter(Boolean);
  const announce = document.getElementById('announce');
  const mute = document.getElementById('mute');
  const muted = () => localStorage.getItem('hearth-muted') === '1';
  const urgentKeys = () => new Set([...document.querySelectorAll('[data-urgent]')].map((e) => e.dataset.urgent));
  let seen = urgentKeys();
  if (mute) {
    const show = () => { mute.setAttribute('aria-pressed', muted() ? 'true' : 'false'); mute.textContent = muted() ? 'Sound off' : 'Sound on'; };
    show();
    mute.addEventListener('click', () => { localStorage.setItem('hearth-muted', muted() ? '0' : '1'); show(); });
  }
  function tone() {
    if (muted()) return;
    try {
      const ctx = new AudioContext();
      const o = ctx.createOscillator(); const g = ctx.createGain();
      o.frequency.value = 880; g.gain.value = 0.15; o.connect(g); g.connect(ctx.destination);
      o.start(); o.stop(ctx.currentTime + 0.6);
    } catch {}
  }
  let busy = false, again = false;
  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const r = await fetch(location.pathname + location.search, { headers: { 'x-fragment': '1' }, credentials: 'same-origin' });
      if (r.status === 401) { location.href = '/signin?idle=1'; return; }
      if (!r.ok) return;
      const focused = document.activeElement && document.activeElement.id;
      live.innerHTML = await r.text();
      if (focused) { const f = document.getElementById(focused); if (f) f.focus(); }
      const now = urgentKeys();
      const fresh = [...now].filter((k) => !seen.has(k));
      seen = now;
      if (fresh.length && announce) {
        const el = document.querySelector('[data-urgent="' + CSS.escape(fresh[0]) + '"] .reason');
        announce.textContent = 'New urgent alert: ' + (el ? el.textContent : '');
        tone();
      }
      document.dispatchEvent(new CustomEvent('hearth:updated'));
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  }
  // After an acknowledgement or claim from the queue, focus goes to the next alert nobody has
  // taken (the server marks it), so a keyboard user carries on from there.
  const next = document.querySelector('[data-focus]');
  if (next) next.focus();
  // Waiting times count on between updates, from the age each had when the page was drawn; a
  // card nobody has taken turns at the answer-time targets (60 s, 180 s), as the server draws it.
  let drawn = performance.now();
  document.addEventListener('hearth:updated', () => { drawn = performance.now(); });
  const span = (ms) => {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' m';
    const h = Math.floor(m / 60);
    return h < 48 ? h + ' h ' + (m % 60) + ' m' : Math.floor(h / 24) + ' d ' + (h % 24) + ' h';
  };
  setInterval(() => {
    const since = performance.now() - drawn;
    for (const el of document.querySelectorAll('[data-age-ms]')) {
      const age = Number(el.dataset.ageMs) + since;
      const text = span(age);
      if (el.textContent !== text) el.textContent = text;
      const card = el.closest('[data-waiting]');
      if (card) {
        // The hub file's targets, as the server drew the card by (console.answer_targets).
        const [t1, t2] = (card.dataset.lateAt || '60000 180000').split(' ').map(Number);
        card.classList.toggle('late-1', age >= t1 && age < t2);
        card.classList.toggle('late-2', age >= t2);
      }
    }
  }, 1000);
  if (live && kinds.length && 'EventSource' in window) {
    const es = new EventSource('/events');
    es.addEventListener('change', (e) => { try { if (kinds.includes(JSON.parse(e.data).kind)) refresh(); } catch {} });
    // Whatever changed between this page's rendering and the stream opening (or re-opening
    // after a drop) is fetched once on open: no notice is lost in that gap.
    let opened = false;
    es.addEventListener('open', () => {
      if (opened) refresh();
      else refresh().then(() => { document.body.dataset.connected = '1'; });
      opened = true;
    });
  }
  // The console's service worker (served at /sw.js) makes it installable and shows pushes.
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
  const idle = Number(document.body.dataset.idleMs || 0);
  const out = document.getElementById('signout');
  if (idle && out) {
    let t;
    const arm = () => { clearTimeout(t); t = setTimeout(() => out.submit(), idle); };
    ['keydown', 'pointerdown', 'scroll'].forEach((ev) => addEventListener(ev, arm, { passive: true }));
    arm();
  }
})();
`;
