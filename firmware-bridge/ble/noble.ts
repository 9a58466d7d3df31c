// The one place that loads noble. Loaded lazily (a gateway without BLE rows never touches it),
// one instance per start, and any failure (no kernel Bluetooth: EAFNOSUPPORT; no adapter; no
// permission) is a value, not a throw.
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/** The part of noble Hearth uses; noble's own typings describe a module, not an instance. */
export type Noble = EventEmitter & {
  readonly state: string;
  address: string;
  startScanning(uuids: string[], allowDuplicates: boolean, cb?: (err?: Error) => void): void;
  stopScanning(cb?: () => void): void;
};
export type Characteristic = EventEmitter & {
  uuid: string;
  subscribe(cb: (err?: Error | string) => void): void;
  read(cb: (err: Error | string | undefined, data: Buffer) => void): void;
};
export type Peripheral = EventEmitter & {
  id: string;
  address: string;
  rssi: number;
  state: string;
  connectable: boolean;
  advertisement: {
    localName?: string;
    serviceData: { uuid: string; data: Buffer }[];
    serviceUuids?: string[];
    manufacturerData?: Buffer;
  };
  connect(cb: (err?: Error | string) => void): void;
  cancelConnect(): void;
  disconnect(cb?: () => void): void;
  discoverSomeServicesAndCharacteristics(
    services: string[],
    characteristics: string[],
    cb: (err: Error | string | undefined, services: unknown[], characteristics: Characteristic[]) => void,
  ): void;
};

export type Loaded = { ok: true; noble: Noble; close(): void } | { ok: false; reason: string };

type Internals = {
  _bindings?: { _hci?: { pollIsDevUp?: () => void; _socket?: EventEmitter & { stop?(): void } } };
};

export function loadNoble(): Loaded {
  const before = { sigint: process.listeners('SIGINT'), exit: process.listeners('exit') };
  let noble: Noble;
  try {
    const req = createRequire(import.meta.url);
    const create = req('@abandonware/noble/with-custom-binding') as (opts: object) => Noble;
    noble = create({});
    // Reading the state initialises the HCI socket now, so that a failure to bind is ours to see.
    void noble.state;
  } catch (e) {
    return { ok: false, reason: explain(e) };
  } finally {
    // noble exits the process on SIGINT when its handler is the last one, which would cut the
    // gateway's own orderly stop short; its exit handler is replaced by close().
    for (const l of process.listeners('SIGINT')) if (!before.sigint.includes(l)) process.off('SIGINT', l);
    for (const l of process.listeners('exit')) if (!before.exit.includes(l)) process.off('exit', l);
  }
  return { ok: true, noble, close: () => close(noble) };
}

function close(noble: Noble): void {
  try {
    noble.stopScanning();
  } catch {
    // the adapter may already be gone; nothing left to stop
  }
  const hci = (noble as unknown as Internals)._bindings?._hci;
  // noble polls the adapter every second for ever; this ends the poll at its next tick.
  if (hci) hci.pollIsDevUp = () => {};
  hci?._socket?.stop?.();
  hci?._socket?.removeAllListeners();
  noble.removeAllListeners();
}

function explain(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'EAFNOSUPPORT':
      return 'this machine has no Bluetooth (the kernel does not support it: EAFNOSUPPORT)';
    case 'ENODEV':
      return 'no Bluetooth adapter found (ENODEV)';
    case 'EPERM':
    case 'EACCES':
      return `no permission to use the Bluetooth adapter (${err.code}): give node CAP_NET_RAW and CAP_NET_ADMIN (README, BLE)`;
    case 'MODULE_NOT_FOUND':
      return `noble is not installed (${err.message.split('\n')[0]})`;
    default:
      return `noble could not start: ${err?.message ?? String(e)}`;
  }
}
