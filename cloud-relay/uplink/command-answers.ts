// Commands from the trust, answered: parsed (commands.ts), refused when the hub did not sign them,
// answered the same again when their id was seen before (at-least-once delivery), otherwise run
// by their handler (command-table.ts); every answer, refusals included, queued as a cmd_result in
// one durable unit with the record of the command. Whatever arrives and whatever a handler does,
// nothing throws into the MQTT client.
import { type CmdResultMessage, type Command, cmdResultMessage, topics } from '../protocol/messages.ts';
import { runCommand } from './command-table.ts';
import { parseCommand } from './commands.ts';
import type { Drain } from './drain.ts';
import type { NewOutboxRow } from './outbox.ts';
import { ownEnvelope, type RelayDeps } from './relay-deps.ts';
import type { Session } from './session.ts';

export class CommandAnswers {
  readonly #d: RelayDeps;
  readonly #session: Session;
  readonly #drain: Drain;
  readonly #gw: string;

  constructor(d: RelayDeps, session: Session, drain: Drain) {
    this.#d = d;
    this.#session = session;
    this.#drain = drain;
    this.#gw = d.config.gateway.id;
  }

  handle(topic: string, payload: Buffer, props?: Record<string, string | string[]>): void {
    const { log, counters } = this.#d;
    let answer: { id: string | null; name: string } = { id: null, name: 'unknown' };
    let refused = false;
    const refuse = (reason: string) => {
      refused = true;
      counters.add('relay.command_refused');
      log.warn({ topic, command_id: answer.id }, `relay: command refused: ${reason}`);
      if (answer.id) this.#result(answer.id, answer.name, false, reason);
    };
    try {
      const parsed = parseCommand(this.#gw, topic, payload);
      if (!parsed.ok) {
        answer = parsed;
        refuse(parsed.reason);
        return;
      }
      // Another home, under a broker that let it, must not acknowledge this home's alerts.
      const unsigned = this.#session.signer().refuseCommand(topic, payload, props);
      if (unsigned) {
        answer = { id: parsed.command.id, name: parsed.command.name };
        counters.add('relay.command_unsigned');
        refuse(unsigned);
        return;
      }
      answer = { id: parsed.command.id, name: parsed.command.name };
      this.#obey(parsed.command);
    } catch (err) {
      try {
        if (!refused) refuse(`the command failed: ${(err as Error).message}`);
        else throw err;
      } catch (again) {
        // Not even the refusal could be kept (a failing disk): the log is what is left.
        log.error({ topic, err: again }, `relay: command not answered: ${(again as Error).message}`);
      }
    }
  }

  /** A command to obey: the answer its id was given before, or its handler's. */
  #obey(cmd: Command): void {
    const { outbox, commandLog, log, commands } = this.#d;
    const known = commandLog.result(cmd.id);
    if (known) {
      // The same command again (at-least-once delivery): the same answer, no second effect.
      outbox.unit(() => outbox.add(JSON.parse(known) as NewOutboxRow), true);
      this.#drain.run();
      return;
    }
    const r = runCommand(cmd, commands);
    log.info({ command: cmd.name, command_id: cmd.id, ok: r.ok }, `relay: command ${cmd.name}: ${r.detail}`);
    this.#result(cmd.id, cmd.name, r.ok, r.detail);
  }

  #result(commandId: string, name: string, ok: boolean, detail: string): void {
    const { outbox, commandLog, clock } = this.#d;
    const msg: CmdResultMessage = cmdResultMessage.parse({
      ...ownEnvelope(this.#d, 'cmd_result', `${commandId}:result`),
      command_id: commandId,
      command: name,
      ok,
      detail,
    });
    const row = {
      id: msg.id,
      topic: topics.commandResult(this.#gw),
      type: 'cmd_result',
      payload: JSON.stringify(msg),
      created_at: clock.now(),
    };
    outbox.unit(() => {
      commandLog.record(commandId, name, JSON.stringify(row), clock.now());
      outbox.add(row);
    }, true);
    this.#drain.run();
  }
}
