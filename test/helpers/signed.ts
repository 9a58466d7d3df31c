// A home's signature on what it publishes (protocol/signature.ts), for tests that speak to the
// hub as a gateway would, with a plain MQTT client and the gateway's certificate and key.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CERT_PROPERTY, SIG_PROPERTY, signMessage, x5cOf } from '../../cloud-relay/protocol/signature.ts';
import type { CertPair } from './mosquitto.ts';

/** MQTT 5 publish options that sign `payload` on `topic` as the owner of `pair`. */
export function signedAs(pair: CertPair) {
  const key = createPrivateKey(readFileSync(pair.key));
  const x5c = x5cOf(readFileSync(pair.cert, 'utf8'));
  return (topic: string, payload: string | Buffer) => ({
    qos: 1 as const,
    properties: {
      userProperties: { [SIG_PROPERTY]: signMessage(topic, payload, key), [CERT_PROPERTY]: x5c },
    },
  });
}
