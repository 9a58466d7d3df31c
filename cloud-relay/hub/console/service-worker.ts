// What makes the console an installable web app: its manifest, its icon and its service worker,
// served from the site's root so that the worker's scope is the whole console. The worker does
// one thing: it shows the hub's pushes (push-webpush.ts's Notice) and answers a notification's
// actions. It caches nothing: the console's pages are about residents and must be live, and a
// phone keeps none of them. An action is answered with the token the push carried (the worker
// has no session cookie or CSRF token), POSTed to /push/action.
export const MANIFEST = JSON.stringify({
  name: 'Hearth care console',
  short_name: 'Hearth',
  description: "Alerts from the homes of the people you care for, and the hub's own.",
  start_url: '/',
  scope: '/',
  display: 'standalone',
  background_color: '#ffffff',
  theme_color: '#1d4e89',
  icons: [
    { src: '/static/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    { src: '/static/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'maskable' },
  ],
});

/** A house with a heart: drawn inside the middle 80 %, so a round mask keeps it whole. */
export const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
<rect width="512" height="512" fill="#1d4e89"/>
<path d="M256 96 96 232h48v184h224V232h48z" fill="#ffffff"/>
<path d="M256 368c-50-38-80-64-80-96 0-22 17-38 38-38 18 0 32 10 42 26 10-16 24-26 42-26 21 0 38 16 38 38 0 32-30 58-80 96z" fill="#c0392b"/>
</svg>`;

export const SERVICE_WORKER = `
'use strict';
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

const ACTIONS = [
  { action: 'ack', title: 'Acknowledge' },
  { action: 'claim', title: "I'm on my way" },
];

function show(n) {
  return self.registration.showNotification(n.title, {
    body: n.body,
    tag: n.tag,
    renotify: true,
    requireInteraction: !!n.urgent,
    icon: '/static/icon.svg',
    data: n,
    actions: n.actions ? ACTIONS : [],
  });
}

self.addEventListener('push', (event) => {
  let n = null;
  try { n = event.data ? event.data.json() : null; } catch (e) { n = null; }
  if (!n || typeof n.title !== 'string' || typeof n.tag !== 'string')
    n = { title: 'Hearth', body: 'Something needs attention: open the care console.', tag: 'hearth', link: '/' };
  event.waitUntil(show(n));
});

async function answer(token, n) {
  let said = 'Not done: the hub could not be reached. Open the care console.';
  try {
    const r = await fetch('/push/action', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
      credentials: 'omit',
    });
    const j = await r.json().catch(() => ({}));
    said = r.ok ? j.done : 'Not done: ' + (j.error || 'HTTP ' + r.status) + '.';
  } catch (e) {}
  await self.registration.showNotification(said, { body: n.title, tag: n.tag, data: { link: n.link, tag: n.tag } });
}

self.addEventListener('notificationclick', (event) => {
  const n = event.notification.data || {};
  const token = n.actions && event.action ? n.actions[event.action] : null;
  event.notification.close();
  const work = token ? answer(token, n) : self.clients.openWindow(n.link || '/');
  // The browser keeps the worker alive for the answer. An event a script made (a test's) cannot
  // be waited on, and says so by throwing; the answer is under way all the same.
  try { event.waitUntil(work); } catch (e) {}
});
`;
