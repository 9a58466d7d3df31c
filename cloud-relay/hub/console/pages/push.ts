// "Alerts on this phone": the page where a carer or an operator turns Web Push on for the phone
// (or computer) they are holding, and its script. The script registers the console's service
// worker, asks for permission, subscribes with the hub's VAPID public key and POSTs the
// subscription with the session's CSRF token; turning off unsubscribes and tells the hub.
import { type Html, html } from '../html.ts';
import type { PageCtx } from '../layout.ts';

export function pushBody(ctx: PageCtx, o: { vapidKey: string; phones: number }): Html {
  const what =
    ctx.staff.role === 'carer'
      ? 'urgent alerts of the residents assigned to you'
      : "the hub's own alerts (a silent gateway, an alert a home cannot deliver, failing storage, a push that failed)";
  return html`<h1>Alerts on this phone</h1>
<p>Turn this on on the phone you carry to be told of ${what}, even with the console closed. Each alert comes with two buttons: <strong>Acknowledge</strong> (sent to the home, as from this console) and <strong>I'm on my way</strong> (your colleagues see that you are going).</p>
<p id="push-phones">${o.phones === 0 ? 'No phone is turned on for you yet.' : `${o.phones} phone${o.phones === 1 ? ' is' : 's are'} turned on for you.`}</p>
<p id="push-state" role="status" aria-live="polite"></p>
<p class="toolbar"><button type="button" id="push-on" data-key="${o.vapidKey}" data-csrf="${ctx.csrf}">Turn on alerts on this phone</button>
<button type="button" id="push-off" class="secondary" data-csrf="${ctx.csrf}">Turn off on this phone</button></p>
<p class="muted">On an iPhone, first add the console to the home screen (Share, then Add to Home Screen) and open it from there.</p>
<script src="/static/push.js" defer></script>`;
}

export const PUSH_SCRIPT = `
(() => {
  const on = document.getElementById('push-on');
  const off = document.getElementById('push-off');
  const state = document.getElementById('push-state');
  if (!on || !off || !state) return;
  const say = (t) => { state.textContent = t; };
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    say('This browser cannot receive alerts. Use Chrome, Edge or Firefox, or Safari from the home screen.');
    on.disabled = true; off.disabled = true;
    return;
  }
  const bytes = (b64) => {
    const s = atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  };
  const post = (url, body) => fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': on.dataset.csrf },
    body: JSON.stringify(body),
  });
  const worker = () => navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready);
  on.addEventListener('click', async () => {
    try {
      if ((await Notification.requestPermission()) !== 'granted') {
        say('Notifications are blocked for this site: allow them in the browser settings, then try again.');
        return;
      }
      const reg = await worker();
      const sub = (await reg.pushManager.getSubscription()) ||
        (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(on.dataset.key) }));
      const r = await post('/push/subscriptions', sub.toJSON());
      const j = await r.json().catch(() => ({}));
      say(r.ok ? 'Alerts are on for this phone.' : 'Not turned on: ' + (j.error || 'HTTP ' + r.status));
    } catch (e) {
      say('Not turned on: ' + e.message);
    }
  });
  off.addEventListener('click', async () => {
    try {
      const reg = await worker();
      const sub = await reg.pushManager.getSubscription();
      if (!sub) { say('Alerts were not on for this phone.'); return; }
      await post('/push/subscriptions/remove', { endpoint: sub.endpoint });
      await sub.unsubscribe();
      say('Alerts are off for this phone.');
    } catch (e) {
      say('Not turned off: ' + e.message);
    }
  });
})();
`;
