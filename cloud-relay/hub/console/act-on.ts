// The alert a console form acts on (acknowledge, claim, note, handle, close), once the signed-in
// member of staff may act on it: one place for the checks every such route makes first.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mayAck } from './access.ts';
import type { Console } from './context.ts';
import { alertOne } from './data.ts';

/** The person and the alert; null when the request has been answered already (signed out, no such alert, refused and audited). */
export async function actOnAlert(c: Console, req: FastifyRequest, reply: FastifyReply, action: string) {
  const g = await c.guard(req, reply);
  if (!g) return null;
  const { gateway, alertId } = req.params as { gateway: string; alertId: string };
  const alert = await alertOne(c.db, gateway, alertId);
  if (!alert) {
    await reply.code(404).type('text/plain').send(`No alert ${alertId} from ${gateway}.`);
    return null;
  }
  const target = `${gateway}/${alertId}`;
  if (!mayAck(g.staff, alert.resident)) {
    await c.refuse(req, reply, g.ctx, { action, resident: alert.resident, target });
    return null;
  }
  return { g, gateway, alertId, alert, target };
}
