// The speaker on the Pi: while the resident is asked "are you OK?", espeak-ng says the words, and
// says them again every `every` until she answers or the prompt's bound. A child process without a
// shell, one at a time; a missing espeak-ng is said once and the gateway carries on, silent there.
import { type ChildProcess, execFile } from 'node:child_process';
import type { Speaker } from '../../config/speaker.ts';
import type { Cancel } from '../../core/clock.ts';
import {
  type Driver,
  type DriverContext,
  deviceProblemLog,
  type OutputEvent,
  type SourceStatus,
} from '../driver.ts';
import { repeatUntil } from '../repeat.ts';
import { complaint, ESPEAK, espeakArgs, noSoundCard } from './espeak.ts';

export type SpeakerOptions = {
  /** Nothing is said again past this, even if the prompt's end never comes. */
  boundMs: number;
  /** The program to run; espeak-ng from PATH unless a test names another. */
  program?: string;
};

/** espeak-ng says a sentence in a few seconds; one still running after this is stuck. */
const SAY_TIMEOUT_MS = 60_000;

export const MISSING =
  'speaker: espeak-ng not found; install it with apt-get install espeak-ng; the prompt is silent on the speaker';

export class SpeakerOutput implements Driver {
  readonly name = 'speaker';
  /** Sayings started, and those espeak-ng finished without a complaint. */
  readonly counters = { started: 0, said: 0 };
  #repeat: Cancel | null = null;
  #child: { process: ChildProcess; exited: Promise<void> } | null = null;
  /** espeak-ng was not found: said once for the gateway's life, and not tried again this prompt. */
  #missing = false;
  #missingSaid = false;
  #limit: ReturnType<typeof deviceProblemLog>;

  constructor(
    private readonly cfg: Speaker,
    private readonly ctx: Pick<DriverContext, 'clock' | 'log'>,
    private readonly o: SpeakerOptions,
  ) {
    this.#limit = deviceProblemLog(ctx.clock);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.#end();
    await this.#child?.exited;
  }

  health(): SourceStatus[] {
    return [];
  }

  output(o: OutputEvent): void {
    if (o.pattern === 'prompt') this.#begin();
    else if (o.pattern === 'prompt-end') this.#end();
  }

  #begin(): void {
    if (this.#repeat) return;
    // Installed since the last prompt, perhaps: tried afresh, and said again only if still missing.
    this.#missing = false;
    this.#repeat = repeatUntil(this.ctx.clock, {
      everyMs: this.cfg.every,
      untilAt: this.ctx.clock.now() + this.o.boundMs,
      each: () => this.#say(),
      atBound: () => {
        this.#repeat = null;
        this.ctx.log.warn('speaker: the prompt outlasted its bound; no longer saying it');
      },
    });
  }

  /** She answered (or carers were told): stop asking, mid-sentence if need be. */
  #end(): void {
    this.#repeat?.();
    this.#repeat = null;
    this.#child?.process.kill();
  }

  #say(): void {
    // Still saying the last one (a slow card, a long sentence): this turn is skipped, not queued.
    if (this.#child || this.#missing) return;
    const { words } = this.cfg;
    let done = () => {};
    const exited = new Promise<void>((r) => {
      done = r;
    });
    let child: ChildProcess;
    try {
      child = execFile(
        this.o.program ?? ESPEAK,
        espeakArgs(this.cfg),
        { timeout: SAY_TIMEOUT_MS, maxBuffer: 64 * 1024, encoding: 'utf8', windowsHide: true },
        (err, _stdout, stderr) => {
          this.#child = null;
          done();
          this.#heard(err, stderr, words);
        },
      );
    } catch (err) {
      // Only arguments node refuses outright get here (the schema keeps them out): the prompt's
      // timer must not be the one to throw.
      this.#limit('spawn', () =>
        this.ctx.log.warn({ err: String(err) }, 'speaker: espeak-ng could not be started'),
      );
      return;
    }
    this.#child = { process: child, exited };
    this.counters.started++;
  }

  /** One line for what became of one saying. */
  #heard(err: (Error & { code?: unknown; killed?: boolean }) | null, stderr: string, words: string): void {
    const { log } = this.ctx;
    if (err?.code === 'ENOENT') {
      this.#missing = true;
      if (!this.#missingSaid) log.warn(MISSING);
      this.#missingSaid = true;
      return;
    }
    if (err?.killed && this.#repeat === null) {
      log.debug('speaker: stopped mid-sentence; the prompt ended');
      return;
    }
    const said = complaint(stderr);
    if (err)
      this.#limit('failed', () =>
        log.warn(
          err.killed
            ? `speaker: espeak-ng was still speaking after ${SAY_TIMEOUT_MS / 1000} s and was stopped`
            : `speaker: espeak-ng failed (exit ${err.code ?? '?'}): ${said ?? err.message}`,
        ),
      );
    else if (said && noSoundCard(said))
      this.#limit('no sound', () =>
        log.warn(
          `speaker: "${words}" was not heard: espeak-ng says ${said}; is a speaker plugged in (set speaker.device for a USB one)?`,
        ),
      );
    else {
      this.counters.said++;
      log.info(`speaker: said "${words}"`);
    }
  }
}
