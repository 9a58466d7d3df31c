// The care team's acknowledgement: recorded (who, when, under which command id), then sent to
// the home as an `ack` command. It stays pending until the home reports the alert acknowledged
// (or confirms the command); supervision flags a command nobody confirmed in time.
import { randomUUID } from 'node:crypto';
import { commands, PROTOCOL_VERSION, topics } from '../protocol/messages.ts';
import { alertsById } from './queries.ts';
import type { HubStore } from './store.ts';
import { sentCommand } from './tables.ts';

export type AckResult =
  | { ok: true; gateway: string; alertId: string; commandId: string }
  | { ok: false; status: 400 | 404 | 409; reason: string };

/** Records the ack and publishes the command; resolves once the broker has it (PUBACK). */
export async function acknowledge(
  d: { store: HubStore; publish: (topic: string, payload: string) => Promise<void>; now: () => number },
  req: { alertId: string; by: string; gateway?: string },
): Promise<AckResult> {
  const found = await alertsById(d.store.db, req.alertId, req.gateway);
  if (found.length === 0) return { ok: false, status: 404, reason: `no alert ${req.alertId}` };
  if (found.length > 1)
    return {
      ok: false,
      status: 409,
      reason: `${found.length} homes have an alert ${req.alertId}; name the gateway`,
    };
  const alert = found[0] as (typeof found)[number];
  const cmd = { v: PROTOCOL_VERSION, id: `ack-${randomUUID()}`, alert_id: req.alertId, by: req.by };
  const valid = commands.ack.safeParse(cmd);
  if (!valid.success)
    return { ok: false, status: 400, reason: `not a valid ack: ${valid.error.issues[0]?.message}` };
  const payload = JSON.stringify(valid.data);
  const now = d.now();
  await d.store.tx(async (t) => {
    await t
      .insertInto('commands')
      .values(
        sentCommand({
          id: cmd.id,
          gateway: alert.gateway,
          name: 'ack',
          payload,
          alertId: req.alertId,
          by: req.by,
          at: now,
        }),
      )
      .execute();
    await t
      .updateTable('alerts')
      .set({ ack_by: req.by, ack_command_id: cmd.id, ack_requested_at: now, ack_confirmed_at: null })
      .where('gateway', '=', alert.gateway)
      .where('alert_id', '=', req.alertId)
      .execute();
    // A daily test call's acknowledgement: the first one is its record.
    await t
      .updateTable('test_calls')
      .set({ acked_at: now, acked_by: req.by })
      .where('gateway', '=', alert.gateway)
      .where('alert_id', '=', req.alertId)
      .where('acked_at', 'is', null)
      .execute();
  });
  // Committed first: if the publish fails the command stays `sent` and is flagged after the timeout.
  await d.publish(topics.command(alert.gateway, 'ack'), payload);
  return { ok: true, gateway: alert.gateway, alertId: req.alertId, commandId: cmd.id };
}
