// The sign-in form. The error says what to do, never which of name or password was wrong.
import { type Html, html } from '../html.ts';

export function signinBody(o: { next: string; error?: string; name?: string; idle?: boolean }): Html {
  return html`<div class="signin"><h1>Sign in</h1>
${o.idle ? html`<p role="status">You were signed out after a while without activity.</p>` : ''}
${o.error ? html`<p class="error" role="alert" id="signin-error">${o.error}</p>` : ''}
<form method="post" action="/signin">
<input type="hidden" name="next" value="${o.next}">
<label for="name">Name</label><input type="text" id="name" name="name" autocomplete="username" required value="${o.name ?? ''}"${o.error ? html` aria-describedby="signin-error"` : ''}>
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p>
</form></div>`;
}
