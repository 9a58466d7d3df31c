// A push service on this machine for the Web Push tests, and a phone's side of RFC 8291: the
// test makes the phone's P-256 key pair and auth secret (node:crypto), the hub encrypts to them,
// and this decrypts what arrived (aes128gcm, RFC 8188) with the HKDF steps of RFC 8291 written out
// here, not borrowed from the library under test. The VAPID header (RFC 8292) is checked too: an
// ES256 JWT for this service's origin, signed by the key it names.
import {
  createDecipheriv,
  createECDH,
  createHmac,
  createPublicKey,
  type ECDH,
  randomBytes,
  verify,
} from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { consoleDb } from '../../cloud-relay/hub/console-tables.ts';
import { pushKeys } from '../../cloud-relay/hub/push-keys.ts';
import { ntfyTransport } from '../../cloud-relay/hub/push-ntfy.ts';
import { PushSender } from '../../cloud-relay/hub/push-sender.ts';
import { pushDb } from '../../cloud-relay/hub/push-tables.ts';
import { forgetSubscription, webPushTransport } from '../../cloud-relay/hub/push-webpush.ts';
import type { HubStore } from '../../cloud-relay/hub/store.ts';
import { createLogger } from '../../core/log.ts';

export type Phone = { ecdh: ECDH; auth: Buffer; subscription: (endpoint: string) => PhoneSubscription };
export type PhoneSubscription = {
  endpoint: string;
  expirationTime: null;
  keys: { p256dh: string; auth: string };
};

export function phone(): Phone {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    ecdh,
    auth,
    subscription: (endpoint) => ({
      endpoint,
      expirationTime: null,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    }),
  };
}

const hmac = (key: Buffer, ...data: (Buffer | string)[]) => {
  const h = createHmac('sha256', key);
  for (const d of data) h.update(d);
  return h.digest();
};

/** RFC 8291 section 3.4 and RFC 8188 section 2: one record, padding delimiter 2. */
export function decrypt(body: Buffer, p: Phone): string {
  const salt = body.subarray(0, 16);
  const idlen = body[20] ?? 0;
  const asPublic = body.subarray(21, 21 + idlen);
  const cipher = body.subarray(21 + idlen);
  const ecdhSecret = p.ecdh.computeSecret(asPublic);
  const prkKey = hmac(p.auth, ecdhSecret);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), p.ecdh.getPublicKey(), asPublic]);
  const ikm = hmac(prkKey, keyInfo, Buffer.from([1]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, 'Content-Encoding: aes128gcm\0', Buffer.from([1])).subarray(0, 16);
  const nonce = hmac(prk, 'Content-Encoding: nonce\0', Buffer.from([1])).subarray(0, 12);
  const d = createDecipheriv('aes-128-gcm', cek, nonce);
  d.setAuthTag(cipher.subarray(cipher.length - 16));
  const plain = Buffer.concat([d.update(cipher.subarray(0, cipher.length - 16)), d.final()]);
  let end = plain.length - 1;
  while (end > 0 && plain[end] === 0) end--;
  if (plain[end] !== 2) throw new Error('no last-record delimiter: not RFC 8188');
  return plain.subarray(0, end).toString('utf8');
}

export type VapidClaims = { aud: string; exp: number; sub: string; key: string };

/** The VAPID header's claims once its signature checks with the key it names; throws otherwise. */
export function checkVapid(authorization: string | undefined): VapidClaims {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization ?? '');
  if (!m) throw new Error(`not a VAPID Authorization header: ${authorization}`);
  const [header, payload, sig] = (m[1] as string).split('.') as [string, string, string];
  const raw = Buffer.from(m[2] as string, 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(sig, 'base64url'),
  );
  if (!ok) throw new Error('the VAPID signature does not check');
  const alg = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg: string };
  if (alg.alg !== 'ES256') throw new Error(`VAPID alg ${alg.alg}`);
  return {
    ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as Omit<VapidClaims, 'key'>),
    key: m[2] as string,
  };
}

export type Pushed = { path: string; headers: IncomingHttpHeaders; body: Buffer };

/** A push service answering `status()` (201 by default); every request kept. */
export async function pushService(status: () => number = () => 201) {
  const got: Pushed[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = status();
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The hub's push sender as the hub builds it (both channels, its database's keys), on a test clock. */
export async function hubSender(
  store: HubStore,
  now: () => number,
  o: { instance?: string; skipLocked?: boolean; retryMs?: number[] } = {},
): Promise<PushSender> {
  const keys = await pushKeys(consoleDb(store.db));
  return new PushSender({
    store,
    log: createLogger({ level: 'silent' }),
    now,
    instance: o.instance ?? 'hub-a',
    skipLocked: o.skipLocked ?? false,
    transports: {
      ntfy: ntfyTransport(),
      webpush: webPushTransport({ db: pushDb(store.db), keys, subject: VAPID_SUBJECT, now }),
    },
    forget: (t, _row, p) => forgetSubscription(pushDb(t), p),
    ...(o.retryMs ? { retryMs: o.retryMs } : {}),
  });
}

/** Whom the tests' hub names to push services. */
export const VAPID_SUBJECT = 'mailto:care-team@example.org';
