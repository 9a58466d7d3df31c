// The escalation ladder as the admin's form sends it: up to six rows of a responder (a member of
// staff's name, or an ntfy topic URL) and a wait in minutes. Checked here, purely, against the
// accounts: a member of staff must be able to answer for this resident (an operator, or a carer
// assigned to her), or their "I'm on my way" would be refused when it matters.
import { z } from 'zod';
import type { Rung } from '../ladder.ts';

export const MAX_RUNGS = 6;
const waitSchema = z.coerce.number().int().min(1).max(120);
const URL_RE = /^https?:\/\/\S+$/;

export type Account = { name: string; role: string; residents: ReadonlySet<string> };

/** The rungs the form describes, or every problem with it. */
export function parseLadder(
  body: Record<string, unknown>,
  resident: string,
  accounts: Map<string, Account>,
): { ok: true; rungs: Rung[] } | { ok: false; problems: string[] } {
  const rungs: Rung[] = [];
  const problems: string[] = [];
  for (let i = 0; i < MAX_RUNGS; i++) {
    const target =
      typeof body[`target${i}`] === 'string' ? (body[`target${i}`] as string).trim().slice(0, 500) : '';
    if (!target) continue;
    const n = i + 1;
    const wait = waitSchema.safeParse(body[`wait${i}`]);
    if (!wait.success) problems.push(`rung ${n}: the wait must be whole minutes from 1 to 120`);
    const waitMin = wait.success ? wait.data : 0;
    if (/^https?:/i.test(target)) {
      if (!URL_RE.test(target)) problems.push(`rung ${n}: "${target}" is not an ntfy topic URL`);
      else rungs.push({ kind: 'ntfy', target, waitMin });
      continue;
    }
    const a = accounts.get(target);
    if (!a) problems.push(`rung ${n}: there is no account "${target}"`);
    else if (a.role !== 'operator' && !(a.role === 'carer' && a.residents.has(resident)))
      problems.push(
        `rung ${n}: ${target} is not a carer of ${resident} nor an operator, so could not answer`,
      );
    else rungs.push({ kind: 'staff', target, waitMin });
  }
  return problems.length ? { ok: false, problems } : { ok: true, rungs };
}

/** "daisy, 3 min → nell, 3 min → the monitoring centre" */
export const ladderSentence = (rungs: Rung[]): string =>
  [
    ...rungs.map((r) => `${r.kind === 'ntfy' ? `ntfy ${r.target}` : r.target}, ${r.waitMin} min`),
    'the monitoring centre',
  ].join(' → ');
