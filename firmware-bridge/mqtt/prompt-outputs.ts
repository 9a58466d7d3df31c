// The prompt on devices of the local broker: while the resident is asked "are you OK?", each output
// row's command (prompt-commands.ts) is published on the gateway's own broker, where Zigbee2MQTT,
// a Shelly or a Tasmota device hears it, and asked again until she answers or the prompt's bound.

import type { MqttOutput } from '../../config/prompt-outputs.ts';
import type { Cancel } from '../../core/clock.ts';
import {
  type Driver,
  type DriverContext,
  deviceProblemLog,
  type OutputEvent,
  type SourceStatus,
} from '../driver.ts';
import { repeatUntil } from '../repeat.ts';
import { type PromptCommand, promptCommand } from './prompt-commands.ts';

/**
 * Publishes as the gateway on the local broker, with QoS 0. aedes numbers a QoS 1 message before
 * an asynchronous step, so a message the device itself publishes meanwhile (Zigbee2MQTT clears a
 * button's action at once, and hears its own base topic) overtakes it and aedes's duplicate check
 * drops it (moscajs/aedes issue 994; seen in the live test: the siren's stop was lost). Loopback
 * TCP loses nothing, and the start is said again every few seconds anyway.
 */
export type Publish = (topic: string, payload: string) => Promise<void>;

export type PromptOptions = {
  /** No output asks for longer than this, even if the prompt's end never comes. */
  boundMs: number;
};

export class MqttPromptOutputs implements Driver {
  readonly name = 'mqtt-prompt';
  readonly #outputs: { id: string; what: string; command: PromptCommand }[];
  #repeats: Cancel[] = [];
  #limit: ReturnType<typeof deviceProblemLog>;

  constructor(
    rows: readonly MqttOutput[],
    private readonly publish: Publish,
    private readonly ctx: Pick<DriverContext, 'clock' | 'log'>,
    private readonly o: PromptOptions,
  ) {
    this.#outputs = rows.map((r) => ({ id: r.id, what: r.output, command: promptCommand(r) }));
    this.#limit = deviceProblemLog(ctx.clock);
  }

  async start(): Promise<void> {}

  /** A gateway stopping mid-prompt leaves nothing sounding or switched on. */
  async stop(): Promise<void> {
    if (this.#repeats.length) await Promise.all(this.#end('the gateway is stopping'));
  }

  health(): SourceStatus[] {
    return [];
  }

  output(o: OutputEvent): void {
    if (o.pattern === 'prompt') this.#begin();
    else if (o.pattern === 'prompt-end' && this.#repeats.length) void Promise.all(this.#end('it ended'));
  }

  #begin(): void {
    // A second pre-alert while one is being asked changes nothing: she is already being asked.
    if (this.#repeats.length || this.#outputs.length === 0) return;
    const untilAt = this.ctx.clock.now() + this.o.boundMs;
    this.ctx.log.info(`prompt: asking on ${this.#outputs.map((x) => `${x.id} (${x.what})`).join(', ')}`);
    this.#repeats = this.#outputs.map((x) =>
      repeatUntil(this.ctx.clock, {
        everyMs: x.command.everyMs,
        untilAt,
        each: () => void this.#send(x.id, x.command.topic, x.command.start),
        atBound: () => void this.#boundReached(),
      }),
    );
  }

  #boundReached(): void {
    if (!this.#repeats.length) return;
    this.ctx.log.warn(
      `prompt: no end came within ${Math.round(this.o.boundMs / 60_000)} min; stopping the outputs`,
    );
    void Promise.all(this.#end('past its bound'));
  }

  #end(why: string): Promise<void>[] {
    for (const cancel of this.#repeats.splice(0)) cancel();
    this.ctx.log.info(`prompt: stopped on ${this.#outputs.map((x) => x.id).join(', ')} (${why})`);
    return this.#outputs.map((x) => this.#send(x.id, x.command.topic, x.command.end));
  }

  #send(id: string, topic: string, payload: string): Promise<void> {
    return this.publish(topic, payload).catch((err: unknown) =>
      this.#limit(`publish ${id}`, () =>
        this.ctx.log.warn({ topic, err: String(err) }, `prompt: could not publish to ${id}`),
      ),
    );
  }
}
