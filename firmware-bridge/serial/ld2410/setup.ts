// The radar's setup at every open, one command at a time: the LD2410 drops a command sent before
// it has answered the previous one, so each waits for its ACK (or a timeout and a retry). A radar
// that never answers is still read: reports flow whatever the setup did.
import type { Cancel, Clock } from '../../../core/clock.ts';
import type { AckBody } from './ack.ts';
import { COMMANDS, enableConfiguration, enableEngineering, endConfiguration, readFirmware } from './codec.ts';

type Step = { command: number; bytes: () => Uint8Array };

/** Configuration mode, the firmware version, engineering mode (per-gate energies), back to reporting. */
export const SETUP_STEPS: readonly Step[] = [
  { command: COMMANDS.enableConfiguration, bytes: enableConfiguration },
  { command: COMMANDS.readFirmware, bytes: readFirmware },
  { command: COMMANDS.enableEngineering, bytes: enableEngineering },
  { command: COMMANDS.endConfiguration, bytes: endConfiguration },
];

export const ACK_TIMEOUT_MS = 500;
export const ATTEMPTS = 3;

export type SetupOutcome =
  | { ok: true; firmware?: string }
  | { ok: false; command: number; why: 'no answer' | 'refused'; firmware?: string };

export class RadarSetup {
  #step = 0;
  #attempt = 0;
  #cancel: Cancel | undefined;
  #firmware: string | undefined;
  #done = false;

  constructor(
    private readonly clock: Clock,
    private readonly write: (bytes: Uint8Array) => void,
    private readonly finished: (o: SetupOutcome) => void,
    private readonly timeoutMs = ACK_TIMEOUT_MS,
    private readonly steps: readonly Step[] = SETUP_STEPS,
  ) {}

  start(): void {
    this.#send();
  }

  /** An ACK from the radar; one for another command (a late answer to a retry) is ignored. */
  ack(command: number, status: number, body: AckBody): void {
    const step = this.steps[this.#step];
    if (this.#done || !step || command !== step.command) return;
    this.#cancel?.();
    if (status !== 0) {
      this.#finish({ ok: false, command, why: 'refused' });
      return;
    }
    if (body.kind === 'firmware') this.#firmware = body.version;
    this.#step++;
    this.#attempt = 0;
    if (this.#step === this.steps.length) this.#finish({ ok: true });
    else this.#send();
  }

  /** The port closed: nothing more is sent, nothing is reported. */
  cancel(): void {
    this.#done = true;
    this.#cancel?.();
  }

  #send(): void {
    const step = this.steps[this.#step];
    if (!step || this.#done) return;
    this.#attempt++;
    this.write(step.bytes());
    this.#cancel = this.clock.timer(this.clock.now() + this.timeoutMs, () => {
      if (this.#attempt < ATTEMPTS) this.#send();
      else this.#finish({ ok: false, command: step.command, why: 'no answer' });
    });
  }

  #finish(o: SetupOutcome): void {
    this.#done = true;
    const firmware = this.#firmware;
    // Leave configuration mode whatever failed, or the radar stops reporting.
    if (!o.ok && o.command !== COMMANDS.endConfiguration) this.write(endConfiguration());
    this.finished(firmware === undefined ? o : { ...o, firmware });
  }
}
