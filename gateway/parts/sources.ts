// The sources of Readings, one driver per family of devices in the provisioning file, each a
// part; what they read and whether they are there goes on the bus, and the log says so.
import type { Config, Device } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { Counters } from '../../core/counters.ts';
import type { Logger } from '../../core/log.ts';
import type { BleRow } from '../../firmware-bridge/ble/context.ts';
import { BleSource } from '../../firmware-bridge/ble/source.ts';
import type { Driver, DriverContext } from '../../firmware-bridge/driver.ts';
import { MAPPERS, router } from '../../firmware-bridge/mqtt/index.ts';
import type { MqttRow } from '../../firmware-bridge/mqtt/mapper.ts';
import { MqttDevices } from '../../firmware-bridge/mqtt/source.ts';
import { FirmataDriver } from '../../firmware-bridge/serial/firmata-driver.ts';
import { JsonlDriver } from '../../firmware-bridge/serial/jsonl-driver.ts';
import { Ld2410Driver } from '../../firmware-bridge/serial/ld2410-driver.ts';
import { SerialPorts } from '../../firmware-bridge/serial/port.ts';
import type { LocalBroker } from '../broker/broker.ts';
import type { Bus } from '../bus.ts';
import { listening, type Part } from './part.ts';

const BLE_SOURCES = new Set<Device['source']>(['bthome', 'ibeacon', 'heart-rate']);
const MQTT_SOURCES = new Set<string>(Object.keys(MAPPERS));

type SourceContext = DriverContext & {
  counted: (n: number) => void;
  count: (name: string, n?: number) => void;
};

export function buildDrivers(
  d: { config: Config; bus: Bus; clock: Clock; log: Logger; counters: Counters; broker: LocalBroker },
  /** Where to look for Bluetooth adapters, and how long without an advert before a scan restarts. */
  ble: { bluetoothSysfs?: string; bleWatchdogMs?: number },
): Driver[] {
  const { config, broker } = d;
  const ctx = sourceContext(d);
  const drivers: Driver[] = [];
  const mqtt = config.devices.filter((r): r is MqttRow => MQTT_SOURCES.has(r.source));
  // Rows nothing is read from (a Gen1 Shelly relay, only driven) are not waited for.
  const heard = mqtt.filter((r) => MAPPERS[r.source].filters(r).length > 0);
  if (heard.length) drivers.push(new MqttDevices(heard, router(mqtt), broker.subscribe, ctx));
  // Serial sources: one owner per port, shared by every row on it.
  const ports = new SerialPorts(ctx);
  const jsonl = config.devices.flatMap((r) => (r.source === 'jsonl' ? [r] : []));
  if (jsonl.length) drivers.push(new JsonlDriver(jsonl, ports, ctx));
  const ld2410 = config.devices.flatMap((r) => (r.source === 'ld2410' ? [r] : []));
  if (ld2410.length) drivers.push(new Ld2410Driver(ld2410, ports, ctx));
  const firmata = config.devices.flatMap((r) => (r.source === 'firmata' ? [r] : []));
  if (firmata.length) drivers.push(new FirmataDriver(firmata, ports, ctx));
  const bleRows = config.devices.filter((r): r is BleRow => BLE_SOURCES.has(r.source));
  if (bleRows.length)
    drivers.push(new BleSource(bleRows, ctx, { sysfs: ble.bluetoothSysfs, watchdogMs: ble.bleWatchdogMs }));
  return drivers;
}

/** What every driver is given: the clock and log, and the bus for its Readings and its status. */
function sourceContext(d: { bus: Bus; clock: Clock; log: Logger; counters: Counters }): SourceContext {
  const { bus, clock, log, counters } = d;
  return {
    clock,
    log,
    reading: (r) => bus.emit('reading', r),
    status: (s) => bus.emit('source-status', s),
    counted: (n: number) => counters.add('mqtt.payload_refused', n),
    count: (name: string, n?: number) => counters.add(name, n),
  };
}

/** A source that appears is said once; one that goes missing is warned of, then retried quietly. */
export const sourceStatusLog = ({ bus, log }: { bus: Bus; log: Logger }): Part =>
  listening('source status log', bus, 'source-status', (s) => {
    const devices = s.devices.join(', ');
    if (s.present) log.info({ source: s.source, devices }, `${s.source}: ${s.detail}`);
    else log.warn({ source: s.source, devices }, `missing ${devices}: ${s.detail}; retrying quietly`);
  });
