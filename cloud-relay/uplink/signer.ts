// The gateway's side of signed messages (protocol/signature.ts): everything it publishes is
// signed with the key of its client certificate, the certificate going along for the hub to
// check; a command is obeyed only when signed by a hub certificate named in the provisioning
// file. Files are read once, at start; a key that cannot be read leaves messages unsigned and
// says so, since the link would refuse it as well.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readPemFile } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../core/log.ts';
import {
  CERT_PROPERTY,
  certificatesIn,
  property,
  SIG_PROPERTY,
  signMessage,
  verifyMessage,
  x5cOf,
} from '../protocol/signature.ts';

type Props = Record<string, string | string[]> | undefined;

export type Signer = {
  /** The user properties that sign this message (none when this gateway has no key). */
  sign(topic: string, payload: Buffer | string): Record<string, string>;
  /** Why a command must not be obeyed, or null when it may. */
  refuseCommand(topic: string, payload: Buffer, props: Props): string | null;
  readonly signs: boolean;
};

const read = readPemFile;

function ownIdentity(
  relay: NonNullable<Config['relay']>,
  log: Logger,
): { key: KeyObject; x5c: string } | null {
  if (!relay.key || !relay.cert) {
    log.warn(
      'relay: no client certificate (relay.cert, relay.key): messages go unsigned, and a hub that requires signatures refuses them',
    );
    return null;
  }
  try {
    return {
      key: createPrivateKey(read('relay.key', relay.key)),
      x5c: x5cOf(read('relay.cert', relay.cert)),
    };
  } catch (e) {
    log.error(`relay: cannot sign messages: ${(e as Error).message}`);
    return null;
  }
}

function hubKeys(relay: NonNullable<Config['relay']>, log: Logger): KeyObject[] | null {
  if (!relay.hub_cert) {
    log.warn("relay: relay.hub_cert is not set: commands are obeyed without checking the hub's signature");
    return null;
  }
  // A hub certificate that cannot be read means no command can be trusted: refuse them all.
  try {
    const keys = certificatesIn(read('relay.hub_cert', relay.hub_cert)).map((c) => c.publicKey);
    if (keys.length === 0) throw new Error(`relay.hub_cert: ${relay.hub_cert} holds no certificate`);
    return keys;
  } catch (e) {
    log.error(`relay: ${(e as Error).message}; every command will be refused`);
    return [];
  }
}

export function relaySigner(relay: NonNullable<Config['relay']>, log: Logger): Signer {
  const me = ownIdentity(relay, log);
  const hub = hubKeys(relay, log);
  return {
    signs: me !== null,
    sign(topic, payload): Record<string, string> {
      if (!me) return {};
      return { [SIG_PROPERTY]: signMessage(topic, payload, me.key), [CERT_PROPERTY]: me.x5c };
    },
    refuseCommand(topic, payload, props) {
      if (hub === null) return null;
      const sig = property(props, SIG_PROPERTY);
      if (!sig) return 'not signed by the hub (relay.hub_cert names the certificates it must be signed by)';
      return hub.some((k) => verifyMessage(topic, payload, sig, k))
        ? null
        : 'its signature is not from a hub certificate in relay.hub_cert';
    },
  };
}
