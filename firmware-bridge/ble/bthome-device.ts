// One BTHome device row: its adverts decoded with its bind key, repeats dropped (devices send
// each advert several times), replayed counters refused, readings filtered by the row's kind.
import { acceptCounter, decodeBthome } from './bthome/decode.ts';
import type { BleContext, BthomeRow, ProblemLog } from './context.ts';

export class BthomeDevice {
  #lastRaw?: Buffer;
  #lastPacketId?: number;
  #lastCounter?: number;

  constructor(
    private readonly row: BthomeRow,
    /** The resolved bind key; undefined when the row has none (or it could not be resolved). */
    private readonly bindkey: Buffer | undefined,
    private readonly ctx: BleContext,
    private readonly problems: ProblemLog,
  ) {}

  advert(serviceData: Buffer): void {
    // The same bytes again are the same advert sent again: not even worth decrypting.
    if (this.#lastRaw?.equals(serviceData)) {
      this.ctx.count('ble.bthome.repeat');
      return;
    }
    this.#lastRaw = Buffer.from(serviceData);
    const r = decodeBthome(serviceData, {
      ...(this.bindkey ? { bindkey: this.bindkey } : {}),
      address: this.row.address,
    });
    if (!r.ok) {
      this.#refuse(r.reason);
      return;
    }
    if (r.problem) this.problems.warn(this.row.id, r.problem);
    if (r.counter !== undefined) {
      if (r.counter === this.#lastCounter) {
        this.ctx.count('ble.bthome.repeat');
        return;
      }
      if (!acceptCounter(this.#lastCounter, r.counter)) {
        this.#refuse(`counter ${r.counter} not above ${this.#lastCounter}: a replayed advert, refused`);
        return;
      }
      this.#lastCounter = r.counter;
    } else if (r.packetId !== undefined) {
      if (r.packetId === this.#lastPacketId) {
        this.ctx.count('ble.bthome.repeat');
        return;
      }
      this.#lastPacketId = r.packetId;
    }
    const at = this.ctx.clock.now();
    for (const x of r.readings) {
      if (this.row.kind && x.kind !== this.row.kind && x.kind !== 'battery') continue;
      this.ctx.reading({ device: this.row.id, at, kind: x.kind, value: x.value });
    }
  }

  #refuse(reason: string): void {
    this.ctx.count('ble.bthome.refused');
    this.problems.warn(this.row.id, reason, { address: this.row.address });
  }
}
