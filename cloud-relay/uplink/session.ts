// What the relay's parts share of the link: the client of the current connection (null between
// connections), the MQTT version the trust broker speaks, the last reason it could not be
// reached, whether the relay is stopping, and the signer, read once.
import type { MqttClient } from 'mqtt';
import type { Logger } from '../../core/log.ts';
import type { RelayConfig } from './link.ts';
import { relaySigner, type Signer } from './signer.ts';

export class Session {
  client: MqttClient | null = null;
  protocol: 4 | 5 = 5;
  lastError: string | null = null;
  stopped = false;
  readonly #relay: RelayConfig | undefined;
  readonly #log: Logger;
  #signing: Signer | null = null;

  constructor(relay: RelayConfig | undefined, log: Logger) {
    this.#relay = relay;
    this.#log = log;
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Read once: the key that signs what this gateway sends, the hub certificates commands need. */
  signer(): Signer {
    if (!this.#signing) {
      const relay = this.#relay;
      this.#signing = relay
        ? relaySigner(relay, this.#log)
        : { signs: false, sign: () => ({}), refuseCommand: () => 'no relay is configured' };
    }
    return this.#signing;
  }

  /** Signature properties for a message published now (MQTT 3.1.1 has nowhere to carry them). */
  signed(topic: string, payload: string) {
    if (this.protocol === 4 || !this.signer().signs) return {};
    return { properties: { userProperties: this.signer().sign(topic, payload) } };
  }
}
