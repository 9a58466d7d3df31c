// aedes's authenticate hook: the sign-in policy (guard.ts), the password check and the connection
// slots (slots.ts), in that order, each refusal a CONNACK with its code and then the end of the
// connection. The password is never checked for a refused attempt: no oracle, no scrypt to spend.
import type { AuthenticateError, Client } from 'aedes';
import type { AclUser } from './acl.ts';
import { type PasswordHash, verifyPassword } from './credentials.ts';
import type { Connection } from './frame-limit.ts';
import type { Refusal, SignInGuard } from './guard.ts';
import type { ConnectionSlots } from './slots.ts';

export type BrokerUser = AclUser & { hash: PasswordHash };

export type SignInDeps = {
  users: ReadonlyMap<string, BrokerUser>;
  guard: SignInGuard;
  slots: ConnectionSlots;
  now(): number;
  /** The user of the connection that holds this client id now, if any. */
  holderOf(clientId: string): AclUser | undefined;
  /** Each signed-in client's user, for the ACL hooks. */
  signedIn: WeakMap<Client, AclUser>;
  refused(kind: string, fields: Record<string, unknown>, msg: string): void;
};

type Done = (error: AuthenticateError | null, success: boolean | null) => void;

const refusal = (r: Refusal | { code: 2 | 4; reason: string }): AuthenticateError =>
  Object.assign(new Error(r.reason), { returnCode: r.code }) as AuthenticateError;

export function authenticator(d: SignInDeps) {
  return (client: Client, username: string | undefined, password: Buffer | undefined, done: Done) => {
    const conn = client.conn as Connection;
    const address = conn.remoteAddress ?? 'unknown';
    const name = username ?? '';
    const fields = { address, user: username ?? null };
    const refuse = (kind: string, r: Refusal | { code: 2 | 4; reason: string }) => {
      d.refused(kind, fields, `local broker refused a sign-in: ${r.reason}`);
      done(refusal(r), false);
    };
    const early = d.guard.refuse(address, name, d.now());
    if (early) return refuse('broker.refused', early);
    const user = username === undefined ? undefined : d.users.get(username);
    void verifyPassword(password, user?.hash).then((ok) => {
      if (!ok || !user) {
        d.guard.failed(address, name, d.now());
        if (username) return refuse('broker.auth_failed', { code: 4, reason: 'bad user name or password' });
        return refuse('broker.auth_failed', { code: 5, reason: 'anonymous connections are not allowed' });
      }
      d.guard.succeeded(address, name);
      if (conn.destroyed) return done(refusal({ code: 3, reason: 'closed while signing in' }), false);
      const holder = d.holderOf(client.id);
      if (holder && holder.name !== user.name)
        return refuse('broker.client_id_refused', {
          code: 2,
          reason: `client id ${client.id} is in use by another user`,
        });
      const full = d.slots.take(user.name, holder !== undefined);
      if (full) return refuse('broker.connection_refused', full);
      conn.once('close', () => d.slots.free(user.name));
      d.signedIn.set(client, user);
      done(null, true);
    });
  };
}
