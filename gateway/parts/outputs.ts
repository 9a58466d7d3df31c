// The home's outputs (a prompt buzzer, siren, bulb, relay or speaker; a status LED): which pattern
// each alert state and each change of the link to the trust asks for, and the drivers that play them.
import type { Driver } from '../../firmware-bridge/driver.ts';
import type { Bus } from '../bus.ts';
import { listening, type Part } from './part.ts';

/** Every pattern asked for, to each driver with output rows. */
export const driverOutputs = (bus: Bus, drivers: readonly Driver[]): Part =>
  listening('driver outputs', bus, 'output', (o) => {
    for (const d of drivers) d.output?.(o);
  });

/**
 * A pre-alert asks the resident to press "I'm OK"; the prompt ends when it is cancelled, or when
 * the alert it asked about goes on to carers anyway (any rule that asks first: inactivity, not_up,
 * night_out_of_bed).
 */
export const promptOutputs = (bus: Bus): Part => {
  const asking = new Set<string>();
  return listening('prompt outputs', bus, 'message', (m) => {
    const { state, alert_id: id } = m.payload;
    if (state === 'pre-alert') {
      asking.add(id);
      bus.emit('output', { pattern: 'prompt' });
    } else if (asking.delete(id) || state === 'cancelled') bus.emit('output', { pattern: 'prompt-end' });
  });
};

/**
 * An alert the trust has not had in time, or whose storing the hub has not confirmed in time (cannot
 * confirm delivery), and any other fault a source reports (storage failing, a test call nobody
 * acknowledged), says so in the home: carers may not be being told. One pattern for them all, so
 * that one fault ending never clears another that goes on.
 */
export const linkStatusOutputs = (bus: Bus): Part => {
  const faults = new Set<string>();
  const show = () => bus.emit('output', { pattern: faults.size > 0 ? 'link-down' : 'link-ok' });
  const set = (source: string, on: boolean) => {
    if (on) faults.add(source);
    else faults.delete(source);
    show();
  };
  const offs: (() => void)[] = [];
  return {
    name: 'link status outputs',
    start: () => {
      offs.push(
        bus.on('delivery', (d) => set('delivery', d.undelivered || d.unconfirmed)),
        bus.on('fault', (f) => set(f.source, f.fault !== null)),
      );
    },
    stop: () => {
      for (const off of offs.splice(0)) off();
    },
  };
};
