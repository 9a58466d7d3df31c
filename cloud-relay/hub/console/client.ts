// The console's one script, served as /static/console.js: on a live notice the page fetches its
// own content again and swaps it in; a new urgent alert is announced (a live region, a banner and
// a short tone), and the tone sounds again every `data-tone-ms` while an urgent alert nobody has
// taken is on the page (a mute holds for this page only, and says so); waiting times count on; an
// idle page signs itself out, but a monitoring screen does not: the server keeps it signed in
// while its stream is open, and when the stream or the session is lost the page says so loudly
// (a red banner, its title, a repeating tone) until it is back; a session that ends while the
// stream is open is told by the stream itself. Pages work without it.

/** How often an urgent alert nobody has taken sounds again, unless the hub file says otherwise. */
export const TONE_EVERY_MS = 10_000;

export const SCRIPT = `
(() => {
  const live = document.getElementById('live');
  const kinds = (document.body.dataset.live || '').split(' ').filter(Boolean);
  const announce = document.getElementById('announce');
  const mute = document.getElementById('mute');
  // Per page, and gone with it: a reloaded or new page sounds again.
  let silenced = false;
  const muted = () => silenced;
  const urgentKeys = () => new Set([...document.querySelectorAll('[data-urgent]')].map((e) => e.dataset.urgent));
  let seen = urgentKeys();
  if (mute) {
    const show = () => {
      mute.setAttribute('aria-pressed', silenced ? 'true' : 'false');
      mute.textContent = silenced ? 'Sound off on this page: turn on' : 'Sound on';
      mute.classList.toggle('silenced', silenced);
      document.body.classList.toggle('silenced', silenced);
    };
    show();
    mute.addEventListener('click', () => { silenced = !silenced; show(); });
  }
  function tone(loud) {
    if (muted() && !loud) return;
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
      if (r.status === 401) {
        if (screen) { lose('Signed out: this screen shows no new alerts. Sign in again.', true); return; }
        location.href = '/signin?idle=1'; return;
      }
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
  // Urgent alerts nobody has taken, a home's or the hub's own (a gateway silent at night), sound
  // again until someone acknowledges or claims them (the page hears of that live and redraws them
  // as taken).
  const every = Number(document.body.dataset.toneMs || 0);
  if (every > 0) setInterval(() => { if (document.querySelector('[data-urgent][data-waiting]')) tone(); }, every);
  // A lost stream or session, shown until it is back: on a screen nobody may miss it.
  const screen = document.body.dataset.screen === '1';
  const lost = document.getElementById('lost');
  const title = document.title;
  let lostTimer = null;
  function lose(text, signin) {
    if (!lost) return;
    lost.textContent = text + ' ';
    if (signin) { const a = document.createElement('a'); a.href = '/signin?next=' + encodeURIComponent(location.pathname); a.textContent = 'Sign in'; lost.append(a); }
    lost.hidden = false;
    document.body.classList.add('is-lost');
    document.title = 'LOST: ' + title;
    if (screen && !lostTimer) { tone(true); lostTimer = setInterval(() => tone(true), every || 10000); }
  }
  function found() {
    if (!lost || lost.hidden) return;
    lost.hidden = true; lost.textContent = '';
    document.body.classList.remove('is-lost');
    document.title = title;
    clearInterval(lostTimer); lostTimer = null;
  }
  if (live && kinds.length && 'EventSource' in window) {
    const es = new EventSource('/events');
    let leaving = false;
    addEventListener('pagehide', () => { leaving = true; });
    es.addEventListener('error', () => { if (!leaving) lose('Connection to the hub lost: new alerts will not show until it is back.', false); });
    // The session ended while the stream was open (12 hours, signed out elsewhere, deleted): the
    // hub says so and closes the stream; no trying again, which would only be refused.
    es.addEventListener('signed-out', () => {
      es.close();
      if (screen) lose('Signed out: this screen shows no new alerts. Sign in again.', true);
      else location.href = '/signin?idle=1';
    });
    es.addEventListener('change', (e) => { try { if (kinds.includes(JSON.parse(e.data).kind)) refresh(); } catch {} });
    // Whatever changed between this page's rendering and the stream opening (or re-opening
    // after a drop) is fetched once on open: no notice is lost in that gap.
    let opened = false;
    es.addEventListener('open', () => {
      found();
      if (opened) refresh();
      else refresh().then(() => { document.body.dataset.connected = '1'; });
      opened = true;
    });
  }
  // A report's Print button: the browser's own print, with the page's print styles.
  document.querySelectorAll('[data-print]').forEach((b) => b.addEventListener('click', () => print()));
  // The console's service worker (served at /sw.js) makes it installable and shows pushes.
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
  const idle = Number(document.body.dataset.idleMs || 0);
  const out = document.getElementById('signout');
  if (idle && out && !screen) {
    let t;
    const arm = () => { clearTimeout(t); t = setTimeout(() => out.submit(), idle); };
    ['keydown', 'pointerdown', 'scroll'].forEach((ev) => addEventListener(ev, arm, { passive: true }));
    arm();
  }
})();
`;
