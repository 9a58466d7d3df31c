// The care team's acknowledgement: recorded (who, when, under which command id), then sent to
// the home as an `ack` command. It stays pending until the home reports the alert acknowledged
// (or confirms the command); supervision flags a command nobody confirmed in time.
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { z } from 'zod';
import { commands, PROTOCOL_VERSION, topics } from '../protocol/messages.ts';
import { recordAnswer } from './call-answers.ts';
import { alertsById } from './queries.ts';
import type { HubStore } from './store.ts';
import { type HubDb, sentCommand } from './tables.ts';

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
  const cmd = ackCommand(req.alertId, req.by);
  if (!cmd.ok) return cmd;
  const now = d.now();
  await d.store.tx(async (t) => {
    await recordAck(t, { gateway: alert.gateway, alertId: req.alertId, by: req.by }, cmd, now);
    await recordAnswer(t, { gateway: alert.gateway, alertId: req.alertId }, req.by, 'ack', now);
  });
  const { id: commandId, payload } = cmd;
  // Committed first: if the publish fails the command stays `sent` and is flagged after the timeout.
  await d.publish(topics.command(alert.gateway, 'ack'), payload);
  return { ok: true, gateway: alert.gateway, alertId: req.alertId, commandId };
}

/** An `ack` command for the alert, checked against the protocol; `by` is who the home is told of. */
export const ackCommand = (alertId: string, by: string) => alertCommand('ack', { alert_id: alertId, by });

/** A `close` command: who closed the call and the outcome's words, for the home to keep. */
export const closeCommand = (alertId: string, by: string, outcome: string) =>
  alertCommand('close', { alert_id: alertId, by, outcome });

function alertCommand<K extends 'ack' | 'close'>(
  name: K,
  fields: Omit<z.input<(typeof commands)[K]>, 'v' | 'id'>,
): { ok: true; id: string; payload: string } | { ok: false; status: 400; reason: string } {
  const cmd = { v: PROTOCOL_VERSION, id: `${name}-${randomUUID()}`, ...fields };
  const valid = commands[name].safeParse(cmd);
  if (!valid.success)
    return { ok: false, status: 400, reason: `not a valid ${name}: ${valid.error.issues[0]?.message}` };
  return { ok: true, id: cmd.id, payload: JSON.stringify(valid.data) };
}

/** The command as sent and the alert as pending its confirmation, in the caller's transaction. */
export async function recordAck(
  t: Transaction<HubDb>,
  a: { gateway: string; alertId: string; by: string },
  cmd: { id: string; payload: string },
  now: number,
): Promise<void> {
  await t
    .insertInto('commands')
    .values(
      sentCommand({
        id: cmd.id,
        gateway: a.gateway,
        name: 'ack',
        payload: cmd.payload,
        alertId: a.alertId,
        by: a.by,
        at: now,
      }),
    )
    .execute();
  await t
    .updateTable('alerts')
    .set({ ack_by: a.by, ack_command_id: cmd.id, ack_requested_at: now, ack_confirmed_at: null })
    .where('gateway', '=', a.gateway)
    .where('alert_id', '=', a.alertId)
    .execute();
  // A daily test call's acknowledgement: the first one is its record.
  await t
    .updateTable('test_calls')
    .set({ acked_at: now, acked_by: a.by })
    .where('gateway', '=', a.gateway)
    .where('alert_id', '=', a.alertId)
    .where('acked_at', 'is', null)
    .execute();
}
