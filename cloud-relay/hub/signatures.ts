// The hub's check that a message for gateway X was signed by X (protocol/signature.ts): with a
// certificate the trust's CA issued, in date, whose CN or SAN is X, over this topic and payload.
// Whatever the broker's ACL allows, one home's certificate cannot speak for another home.
// Certificates already checked are remembered by fingerprint (a bounded map of facts that never
// change), so a home's message costs one signature check.
import { type KeyObject, X509Certificate } from 'node:crypto';
import {
  certificatesIn,
  certNames,
  certProperty,
  fingerprint,
  property,
  SIG_PROPERTY,
  verifyMessage,
} from '../protocol/signature.ts';

export type SignatureVerdict =
  | { ok: true }
  /** `impostor`: someone other than the gateway signed, or tried to: the care team must know. */
  | { ok: false; reason: string; impostor: boolean };

type Checked =
  | { ok: true; names: string[]; key: KeyObject; from: number; to: number }
  | { ok: false; reason: string };

const MAX_CERTS = 20_000;

export class HomeSignatures {
  #cas: X509Certificate[];
  #checked = new Map<string, Checked>();

  #clock: () => number;

  /** `clock`: certificates are in date by the system's clock, as TLS judges them, not a test's. */
  constructor(caPem: string, clock: () => number = Date.now) {
    this.#clock = clock;
    this.#cas = certificatesIn(caPem);
    if (this.#cas.length === 0) throw new Error('the CA file of homes.ca holds no certificate');
  }

  check(
    gateway: string,
    topic: string,
    payload: Buffer,
    props: Record<string, string | string[]> | undefined,
  ): SignatureVerdict {
    const now = this.#clock();
    const sig = property(props, SIG_PROPERTY);
    if (!sig)
      return {
        ok: false,
        impostor: false,
        reason: 'not signed (homes.signatures is required: a gateway signs with relay.key over MQTT 5)',
      };
    const x5c = certProperty(props);
    if (!x5c) return { ok: false, impostor: false, reason: 'signed, but without its certificate (x5c)' };
    const cert = this.#certificate(x5c);
    if (!cert.ok) return { ok: false, impostor: true, reason: cert.reason };
    if (!cert.names.includes(gateway))
      return {
        ok: false,
        impostor: true,
        reason: `signed by the certificate of ${cert.names.join(', ') || 'nobody named'}, not of ${gateway}`,
      };
    if (now < cert.from || now > cert.to)
      return {
        ok: false,
        impostor: false,
        reason: `signed with a certificate valid only from ${new Date(cert.from).toISOString()} to ${new Date(cert.to).toISOString()}`,
      };
    if (!verifyMessage(topic, payload, sig, cert.key))
      return { ok: false, impostor: true, reason: 'its signature does not match its topic and payload' };
    return { ok: true };
  }

  #certificate(x5c: string): Checked {
    const der = Buffer.from(x5c, 'base64');
    const fp = fingerprint(der);
    const known = this.#checked.get(fp);
    if (known) return known;
    const checked = this.#examine(der);
    this.#checked.set(fp, checked);
    if (this.#checked.size > MAX_CERTS) this.#checked.delete(this.#checked.keys().next().value as string);
    return checked;
  }

  #examine(der: Buffer): Checked {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch {
      return { ok: false, reason: 'its certificate (x5c) cannot be read' };
    }
    const issued = this.#cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
    if (!issued || cert.ca)
      return {
        ok: false,
        reason: "signed by a certificate the trust's CA (homes.ca) did not issue to a home",
      };
    return {
      ok: true,
      names: certNames(cert),
      key: cert.publicKey,
      from: Date.parse(cert.validFrom),
      to: Date.parse(cert.validTo),
    };
  }
}
