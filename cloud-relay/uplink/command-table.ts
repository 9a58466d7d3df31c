// What each command from the trust does: one small handler per command, as aedes has one per
// packet type, in a table looked up by the command's own name only (Object.hasOwn: `toString` or
// `__proto__` is in every object, and is no command). parseCommand (commands.ts) has already
// checked the name and the payload against the protocol's table.
import type { Command, CommandName } from '../protocol/messages.ts';

/** What the gateway does for the commands that reach into it. */
export type CommandHandlers = {
  ack(alertId: string, by: string): { ok: boolean; detail: string };
  /** The trust closed the call with an outcome: kept on the alert, which stays the rule's to end. */
  close?(alertId: string, by: string, outcome: string): { ok: boolean; detail: string };
  requestSummary?(date: string): { ok: boolean; detail: string };
  /** A care mode until an instant (ISO with its offset), or `off`; the gateway checks the clock. */
  mode?(req: { mode: string; until?: string; by: string }): { ok: boolean; detail: string };
};

export type CommandOutcome = { ok: boolean; detail: string };

type Handler<K extends CommandName> = (
  cmd: Extract<Command, { name: K }>,
  gateway: CommandHandlers,
) => CommandOutcome;

export const COMMAND_TABLE: { readonly [K in CommandName]: Handler<K> } = {
  ack: (cmd, gateway) => gateway.ack(cmd.alert_id, cmd.by),
  close: (cmd, gateway) =>
    gateway.close?.(cmd.alert_id, cmd.by, cmd.outcome) ?? {
      ok: false,
      detail: 'closing a call is not available in this version',
    },
  'request-summary': (cmd, gateway) =>
    gateway.requestSummary?.(cmd.date) ?? {
      ok: false,
      detail: 'daily summaries are not available in this version',
    },
  ping: () => ({ ok: true, detail: 'pong' }),
  mode: (cmd, gateway) =>
    gateway.mode?.({ mode: cmd.mode, by: cmd.by, ...(cmd.until ? { until: cmd.until } : {}) }) ?? {
      ok: false,
      detail: 'care modes are not available in this version',
    },
};

/** Runs a parsed command's handler; a name with none (never, after parseCommand) throws. */
export function runCommand(cmd: Command, gateway: CommandHandlers): CommandOutcome {
  if (!Object.hasOwn(COMMAND_TABLE, cmd.name)) throw new Error(`no handler for the command "${cmd.name}"`);
  const handler = COMMAND_TABLE[cmd.name] as Handler<CommandName>;
  return handler(cmd as never, gateway);
}
