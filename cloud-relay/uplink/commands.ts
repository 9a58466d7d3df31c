// Commands from the trust (hearth/v1/{gw}/cmd/{name}): validated, answered once per command id.
import { parseJson, safeText } from '../../core/json.ts';
import { type Command, type CommandName, commands } from '../protocol/messages.ts';

export type ParsedCommand =
  | { ok: true; command: Command }
  | { ok: false; id: string | null; name: string; reason: string };

/** A command is a flat object of a few short strings: anything bigger is not one. */
const COMMAND_JSON = { maxBytes: 4096, maxDepth: 4 };
/** The longest command id answered (the schema's own bound), so a refusal cannot be made huge. */
const MAX_ID = 128;

/** Parses a command message; never throws, whatever the bytes. */
export function parseCommand(gateway: string, topic: string, payload: Buffer): ParsedCommand {
  const prefix = `hearth/v1/${gateway}/cmd/`;
  const name = safeText(topic.startsWith(prefix) ? topic.slice(prefix.length) : topic, 64);
  const parsed = parseJson(payload, COMMAND_JSON);
  if (!parsed.ok) return { ok: false, id: null, name, reason: parsed.reason };
  const json = parsed.value;
  const raw = json && typeof json === 'object' ? (json as { id?: unknown }).id : undefined;
  const id = typeof raw === 'string' && raw.length <= MAX_ID ? raw : null;
  // Own keys only: `toString` or `__proto__` is in every object, and is no command.
  if (!Object.hasOwn(commands, name))
    return {
      ok: false,
      id,
      name,
      reason: `unknown command "${name}"; known: ${Object.keys(commands).join(', ')}`,
    };
  const r = commands[name as CommandName].safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    return { ok: false, id, name, reason: `${i?.path.join('.') || 'payload'}: ${i?.message}` };
  }
  return { ok: true, command: { name, ...r.data } as Command };
}
