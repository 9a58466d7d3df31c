// Signed messages between a home and the trust (protocol version 1). The broker's ACL is the
// first wall; this is the second, for a broker that lets one home write another's topics. Each
// message carries, as MQTT 5 user properties, `sig`: the signature of its topic and payload bytes
// with the sender's private key, and from a home `x5c`: its certificate (DER, base64), so that
// the hub checks it against the trust's CA and the gateway it names, and holds no key list.
// User properties leave the payload as it was: a receiver that does not check signatures (an
// older hub or gateway) reads every message as before.
import { createHash, type KeyObject, sign, verify, X509Certificate } from 'node:crypto';

export const SIG_PROPERTY = 'sig';
export const CERT_PROPERTY = 'x5c';
/** Bounds on what a sender may put in the properties: a certificate chain is a few kilobytes. */
const MAX_SIG_CHARS = 1024;
const MAX_CERT_CHARS = 12 * 1024;

type UserProperties = Record<string, string | string[]> | undefined;

/** What is signed: a domain tag, the topic (so a message cannot be moved to another) and the bytes. */
const signedBytes = (topic: string, payload: Buffer | string) =>
  Buffer.concat([Buffer.from(`hearth-sig-v1\n${topic}\n`), Buffer.from(payload)]);

// Ed25519 and Ed448 sign the message itself; RSA and EC keys sign its SHA-256.
const digestFor = (key: KeyObject) =>
  key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256';

export function signMessage(topic: string, payload: Buffer | string, key: KeyObject): string {
  return sign(digestFor(key), signedBytes(topic, payload), key).toString('base64');
}

export function verifyMessage(topic: string, payload: Buffer | string, sig: string, key: KeyObject): boolean {
  try {
    return verify(digestFor(key), signedBytes(topic, payload), key, Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}

/** The first value of a user property, bounded; null when absent or too long. */
export function property(props: UserProperties, name: string, max = MAX_SIG_CHARS): string | null {
  const v = props?.[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.length > 0 && s.length <= max ? s : null;
}

export const certProperty = (props: UserProperties) => property(props, CERT_PROPERTY, MAX_CERT_CHARS);

/** The names a certificate speaks for: its subject's CN and its DNS, URI and email SANs. */
export function certNames(cert: X509Certificate): string[] {
  const cn = cert.subject
    .split('\n')
    .filter((l) => l.startsWith('CN='))
    .map((l) => l.slice(3));
  const san = (cert.subjectAltName ?? '')
    .split(', ')
    .map((e) => /^(DNS|URI|email):(.+)$/.exec(e)?.[2])
    .filter((x): x is string => Boolean(x));
  return [...cn, ...san];
}

/** The first certificate of a PEM file's text, as DER in base64: what a home sends as x5c. */
export function x5cOf(pem: string): string {
  return new X509Certificate(pem).raw.toString('base64');
}

/** Every certificate in a PEM text (a bundle of hub certificates, a CA chain). */
export function certificatesIn(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

export const fingerprint = (der: Buffer) => createHash('sha256').update(der).digest('hex');
