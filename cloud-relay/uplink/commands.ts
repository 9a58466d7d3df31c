// Commands from the trust (hearth/v1/{gw}/cmd/{name}): validated, answered once per command id.
import { type Command, type CommandName, commands } from '../protocol/messages.ts';

export type ParsedCommand =
  | { ok: true; command: Command }
  | { ok: false; id: string | null; name: string; reason: string };

/** Parses a command message; never throws, whatever the bytes. */
export function parseCommand(gateway: string, topic: string, payload: Buffer): ParsedCommand {
  const prefix = `hearth/v1/${gateway}/cmd/`;
  const name = topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, id: null, name, reason: 'payload is not JSON' };
  }
  const id =
    json && typeof json === 'object' && typeof (json as { id?: unknown }).id === 'string'
      ? (json as { id: string }).id
      : null;
  if (!(name in commands))
    return {
      ok: false,
      id,
      name,
      reason: `unknown command "${name}"; known: ${Object.keys(commands).join(', ')}`,
    };
  const schema = commands[name as CommandName];
  const r = schema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    return { ok: false, id, name, reason: `${i?.path.join('.') || 'payload'}: ${i?.message}` };
  }
  return { ok: true, command: { name, ...r.data } as Command };
}
