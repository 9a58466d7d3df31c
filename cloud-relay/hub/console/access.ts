// Who may see what: operators and admins every home of the trust, a carer only the residents
// assigned to them. Pure.
import type { Role } from '../console-tables.ts';

export type Staff = { name: string; role: Role; residents: ReadonlySet<string> };

export const seesEveryone = (s: Staff): boolean => s.role === 'operator' || s.role === 'admin';

export const maySee = (s: Staff, resident: string): boolean => seesEveryone(s) || s.residents.has(resident);

/** Acknowledging is care work: operators, and carers for their own residents. */
export const mayAck = (s: Staff, resident: string): boolean =>
  s.role === 'operator' || (s.role === 'carer' && s.residents.has(resident));

export const isAdmin = (s: Staff): boolean => s.role === 'admin';
