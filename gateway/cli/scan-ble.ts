// `hearth scan ble [--seconds N]`: listens to the air for a while and lists every device heard,
// what it is (BTHome, iBeacon, heart-rate band) and a device row ready to paste.
// Exit 1 when there is no Bluetooth to scan with (the machine has none, or it is off).
import { join } from 'node:path';
import { EXIT } from '../../core/process.ts';
import { bluetoothAdapters } from '../../firmware-bridge/ble/adapter-presence.ts';
import { loadNoble, type Noble, type Peripheral } from '../../firmware-bridge/ble/noble.ts';
import { classify } from '../../firmware-bridge/ble/scan.ts';

const POWER_ON_MS = 10_000;

export async function scanBleCommand(
  o: { seconds?: string },
  print: (line: string) => void,
): Promise<number> {
  const seconds = Number(o.seconds ?? '10');
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    process.stderr.write(`hearth scan ble: --seconds ${o.seconds}: expected a number of seconds, 0 to 600\n`);
    return EXIT.badInput;
  }
  const root = process.env.HEARTH_SCAN_ROOT;
  const sysfs = root ? join(root, 'sys', 'class', 'bluetooth') : '/sys/class/bluetooth';
  if (!bluetoothAdapters(sysfs).length) {
    print(`no Bluetooth on this machine (no adapter in ${sysfs}): BLE devices cannot be scanned here`);
    return EXIT.failed;
  }
  const loaded = loadNoble();
  if (!loaded.ok) {
    print(`cannot scan: ${loaded.reason}`);
    return EXIT.failed;
  }
  try {
    const state = await poweredOn(loaded.noble);
    if (state !== 'poweredOn') {
      print(`cannot scan: the Bluetooth adapter is ${state}`);
      return EXIT.failed;
    }
    const heard = await listen(loaded.noble, seconds * 1000);
    report([...heard.values()], seconds, print);
    return EXIT.ok;
  } finally {
    loaded.close();
  }
}

function poweredOn(noble: Noble): Promise<string> {
  if (noble.state === 'poweredOn') return Promise.resolve('poweredOn');
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(noble.state), POWER_ON_MS);
    noble.on('stateChange', (s: string) => {
      if (s !== 'poweredOn') return;
      clearTimeout(timer);
      resolve(s);
    });
  });
}

function listen(noble: Noble, ms: number): Promise<Map<string, Peripheral>> {
  const heard = new Map<string, Peripheral>();
  noble.on('discover', (p: Peripheral) => heard.set(p.address.toLowerCase(), p));
  noble.startScanning([], true);
  return new Promise((resolve) =>
    setTimeout(() => {
      noble.stopScanning();
      resolve(heard);
    }, ms),
  );
}

function report(heard: Peripheral[], seconds: number, print: (line: string) => void): void {
  if (!heard.length) {
    print(`no BLE devices heard in ${seconds} s`);
    return;
  }
  const rows: string[] = [];
  for (const p of heard.sort((a, b) => b.rssi - a.rssi)) {
    const a = p.advertisement;
    const found = classify({
      address: p.address.toLowerCase(),
      rssi: p.rssi,
      ...(a.localName ? { name: a.localName } : {}),
      serviceData: a.serviceData ?? [],
      serviceUuids: a.serviceUuids ?? [],
      ...(a.manufacturerData ? { manufacturerData: a.manufacturerData } : {}),
    });
    const name = a.localName ? ` "${a.localName}"` : '';
    print(`${p.address.toLowerCase()}  ${p.rssi} dBm  ${found.type}${name}  ${found.detail}`);
    if (found.row) rows.push(found.row);
  }
  if (rows.length) {
    print('');
    print('# paste under devices: (name each id and room to suit the home)');
    for (const r of rows) print(r);
  }
}
