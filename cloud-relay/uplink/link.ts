// The connection to the trust broker (mqtt.js). One fresh client per connection attempt, so
// nothing waits in mqtt.js's memory between attempts: the outbox is the only queue. Reconnects
// back off, capped and jittered; MQTT 5 first, MQTT 3.1.1 when the broker speaks no 5.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { readPemFile, resolveSecret } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';

export type RelayConfig = NonNullable<Config['relay']>;

/** Reasons a TLS connection failed, in words a technician can act on. */
const TLS_REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'the trust broker certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the trust broker certificate is self-signed and not trusted: set relay.ca',
  SELF_SIGNED_CERT_IN_CHAIN:
    'the trust broker certificate is signed by a CA that is not trusted: check relay.ca',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the trust broker certificate is not signed by relay.ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the trust broker certificate is not signed by relay.ca',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the trust broker certificate does not name this host (check relay.url)',
  ECONNREFUSED: 'the trust broker refused the connection (not listening?)',
  ENOTFOUND: 'the trust broker host name does not resolve',
  ECONNRESET: 'the connection was reset (a client certificate the broker does not accept?)',
  // The broker's verdict on our certificate, as a TLS alert (found against a real Mosquitto with
  // require_certificate: without these the log showed OpenSSL's raw "tlsv1 alert unknown ca", or
  // its whole error line after the advice).
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    'the trust broker wants a client certificate: set relay.cert and relay.key',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA:
    "the trust broker does not trust this gateway's certificate: relay.cert is not signed by a CA it knows",
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "the trust broker refused this gateway's certificate (relay.cert)",
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    "the trust broker says this gateway's certificate (relay.cert) has expired",
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED:
    "the trust broker says this gateway's certificate (relay.cert) is revoked",
};

export function explain(err: Error & { code?: string | number }): string {
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (code && TLS_REASONS[code]) return `${TLS_REASONS[code]} (${code})`;
  if (/certificate required|alert number 116|handshake failure/i.test(err.message))
    return `the trust broker wants a client certificate: set relay.cert and relay.key (${err.message})`;
  if (/Not authorized|Bad username/i.test(err.message))
    return `the trust broker refused the credentials (${err.message})`;
  return err.message;
}

export type LinkOptions = {
  config: RelayConfig;
  clientId: string;
  will: { topic: string; payload: string; properties?: { userProperties: Record<string, string> } };
  protocolVersion: 4 | 5;
  keepaliveS: number;
  connectTimeoutMs: number;
};

/** A PEM file named in the provisioning file, or an error that says which key names it. */
const pem = (key: string, file: string): Buffer => Buffer.from(readPemFile(key, file));

/** Connects once; resolves with the client after CONNACK, rejects with a readable reason. */
export function connectOnce(o: LinkOptions): Promise<MqttClient> {
  const c = o.config;
  const options: IClientOptions = {
    clientId: o.clientId,
    protocolVersion: o.protocolVersion,
    clean: false,
    keepalive: o.keepaliveS,
    reconnectPeriod: 0,
    connectTimeout: o.connectTimeoutMs,
    rejectUnauthorized: true,
    will: {
      topic: o.will.topic,
      payload: Buffer.from(o.will.payload),
      qos: 1,
      retain: true,
      ...(o.protocolVersion === 5 && o.will.properties ? { properties: o.will.properties } : {}),
    },
    ...(o.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 7 * 86_400 } } : {}),
    ...(c.ca ? { ca: pem('relay.ca', c.ca) } : {}),
    ...(c.cert ? { cert: pem('relay.cert', c.cert) } : {}),
    ...(c.key ? { key: pem('relay.key', c.key) } : {}),
    ...(c.username ? { username: c.username } : {}),
    ...(c.password ? { password: resolveSecret(c.password) } : {}),
  };
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(c.url, options);
    const fail = (err: Error) => {
      client.removeAllListeners();
      client.on('error', () => {});
      client.end(true);
      reject(Object.assign(new Error(explain(err)), { code: (err as { code?: unknown }).code }));
    };
    client.once('connect', () => {
      client.removeListener('error', fail);
      client.removeListener('close', closed);
      // Nagle's algorithm would hold a PUBLISH back waiting for more: alerts go now.
      const socket = client.stream as unknown as { setNoDelay?: (v: boolean) => void };
      socket.setNoDelay?.(true);
      resolve(client);
    });
    const closed = () => fail(new Error('the connection closed before the broker answered'));
    client.once('error', fail);
    client.once('close', closed);
  });
}

/** True when a refusal means the broker speaks no MQTT 5. */
export const unsupportedProtocol = (err: Error & { code?: unknown }): boolean =>
  // CONNACK 1 (MQTT 3.1.1) or reason 132 (MQTT 5); a TLS "unsupported protocol" is not this.
  err.code === 1 ||
  err.code === 132 ||
  /unacceptable protocol version|unsupported protocol version/i.test(err.message);
