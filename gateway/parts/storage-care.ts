// The database's upkeep while the gateway runs, as parts: raw events past retention deleted every
// hour; a backup every night (and at once when there is none yet); after a start that found the
// database corrupt, the info alert that tells the care team what happened and what may be
// missing; and word when the disk stops taking writes.
import { rmSync } from 'node:fs';
import type { Config } from '../../config/schema.ts';
import type { Cancel, Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { Zone } from '../../core/zone.ts';
import type { Bus } from '../bus.ts';
import { alertMessage, type OutMessage } from '../engine/messages.ts';
import { listBackups } from '../store/backup.ts';
import type { Recovery } from '../store/recover.ts';
import type { StorageHealth, Store } from '../store/store.ts';
import type { Part } from './part.ts';

/** Local time of the nightly backup: after the day's summary, before anyone is up. */
export const BACKUP_AT = '03:15';
const HOUR = 3_600_000;

/** Deletes raw events past storage.keep_events at start and then every hour. */
export function eventRetention(o: { config: Config; store: Store; clock: Clock; log: Logger }): Part {
  const { store, clock, log } = o;
  const keepMs = o.config.storage.keep_events;
  let cancel: Cancel = () => {};
  const run = () => {
    const removed = store.events.prune(clock.now() - keepMs);
    if (removed) log.info({ removed }, 'old events removed by retention');
    cancel = clock.timer(clock.now() + HOUR, run);
  };
  return { name: 'retention', start: run, stop: () => cancel() };
}

export function nightlyBackups(o: { store: Store; clock: Clock; zone: Zone; log: Logger }): Part {
  let cancel: Cancel = () => {};
  return {
    name: 'backups',
    start: () => {
      cancel = scheduleBackups(o);
    },
    stop: () => cancel(),
  };
}

function scheduleBackups(o: { store: Store; clock: Clock; zone: Zone; log: Logger }): Cancel {
  const { store, clock, zone, log } = o;
  if (store.path === ':memory:') return () => {};
  let cancel: Cancel = () => {};
  let stopped = false;
  const take = async () => {
    try {
      store.commit();
      const file = await store.backup(clock.now());
      log.info({ file }, 'database backed up');
    } catch (err) {
      // A full or failing card: the previous backups are still there; try again tomorrow.
      if (!stopped) log.error({ err: (err as Error).message }, 'database backup failed');
    }
  };
  const arm = () => {
    const now = clock.now();
    const today = zone.at(now, BACKUP_AT);
    const next = today > now ? today : zone.at(now, BACKUP_AT, 1);
    cancel = clock.timer(next, () => void take().then(() => !stopped && arm()));
  };
  if (listBackups(store.path).length === 0) void take();
  arm();
  return () => {
    stopped = true;
    cancel();
  };
}

/** After a restore from backup, its info alert, queued before the relay starts (which sends it first). */
export function recoveryAlert(
  recovery: Recovery | null,
  o: { store: Store; config: Config; zone: Zone; clock: Clock },
): Part {
  return {
    name: 'recovery alert',
    start: () => {
      if (recovery) queueRecoveryAlert(recovery, { ...o, now: o.clock.now() });
    },
    stop: () => {},
  };
}

/** The info alert after a restore from backup, queued and committed; returned for delivery. */
function queueRecoveryAlert(
  r: Recovery,
  o: { store: Store; config: Config; zone: Zone; now: number },
): OutMessage {
  const { store, config, zone, now } = o;
  const reason = r.backup
    ? `The database was found damaged at start and restored from the backup of ${zone.iso(r.backup.at).slice(0, 16).replace('T', ' ')}; readings, summaries and alert history after that are missing.`
    : 'The database was found damaged at start and no good backup was found: the gateway started afresh, without its history or rule state.';
  const m = alertMessage(
    {
      alertId: `storage-${now}`,
      rule: 'storage',
      state: 'raised',
      severity: 'info',
      at: now,
      reason,
      facts: { problem: r.problem, moved_to: r.movedTo, backup_at: r.backup ? zone.iso(r.backup.at) : null },
    },
    config,
    zone,
  );
  store.transaction(() => {
    store.days.logAlert(m.at, m.payload.alert_id, m.payload.rule, m.payload.state);
    store.outbox.add({
      id: m.payload.id,
      topic: m.topic,
      type: 'alert',
      payload: JSON.stringify(m.payload),
      created_at: m.at,
    });
  });
  return m;
}

/**
 * A disk that stops taking writes: said in the log, on the status topic and by the prompt
 * device's fault pattern; while it is full, space is freed by the retention policy.
 */
export function storageWatch(o: {
  config: Config;
  store: Store;
  bus: Bus;
  log: Logger;
  clock: Clock;
  refresh: () => void;
}): Part {
  return { name: 'storage watch', start: () => watchStorage(o), stop: () => {} };
}

function watchStorage(o: Parameters<typeof storageWatch>[0]): void {
  const { store, bus, log, clock } = o;
  const keepEventsMs = o.config.storage.keep_events;
  store.onFull(() => reclaim(store, clock.now() - keepEventsMs, log));
  const told = (h: StorageHealth) => {
    if (h.fault)
      log.error(
        { fault: h.fault, held_events: h.held.events, held_messages: h.held.messages },
        `storage failing (${h.fault}): rules and alerts carry on, their writes held in memory until the disk takes them`,
      );
    else log.info('storage recovered: every held write is on disk');
    bus.emit('fault', { source: 'storage', fault: h.fault ?? null });
    o.refresh();
  };
  store.onHealth(told);
  // Started on a disk that was already full: said now, as it will be when it changes.
  if (store.health().fault) told(store.health());
}

/** One line for the status: what fails, and what is held meanwhile. */
export function storageFault(store: Store): string | null {
  const h = store.health();
  return h.fault
    ? `${h.fault} (${h.held.events} readings and ${h.held.messages} messages held in memory)`
    : null;
}

/** Frees what may go on a full disk: older backups, events past retention, the WAL's tail. */
function reclaim(store: Store, before: number, log: Logger): void {
  for (const old of listBackups(store.path).slice(1)) rmSync(old.file, { force: true });
  const removed = store.events.prune(before);
  store.checkpoint();
  if (removed) log.info({ removed }, 'old events removed to free space');
}
