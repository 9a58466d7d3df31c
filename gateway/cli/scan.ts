// `hearth scan serial`: every serial port with what it is, and a device row ready to paste into
// the provisioning file for each device that answered a driver's handshake.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../core/process.ts';
import { type Found, identify, listPorts, type PortInfo } from '../../firmware-bridge/serial/scan.ts';

export async function scanSerialCommand(
  o: { port?: string[] },
  print: (line: string) => void,
): Promise<number> {
  const given = o.port ?? [];
  const missing = given.filter((p) => !existsSync(p));
  if (missing.length) {
    for (const p of missing) process.stderr.write(`hearth scan serial: ${p}: no such port\n`);
    return EXIT.badInput;
  }
  const ports: PortInfo[] = given.length ? given.map((p) => ({ path: p, dev: p })) : listPorts(roots());
  if (!ports.length) {
    print('no serial ports found (looked in /dev/serial/by-id and /sys/class/tty)');
    return EXIT.ok;
  }
  const ids = new Set<string>();
  const rows: string[] = [];
  for (const port of ports) {
    print(`${port.path}${describe(port)}`);
    let found: Found | undefined;
    try {
      found = await identify(port.path);
    } catch (e) {
      print(`  cannot open: ${(e as Error).message}`);
      continue;
    }
    if (!found) {
      print(
        '  nothing recognised (no LD2410 ACK at 256000 baud, no Firmata answer at 57600, no jsonl line at 115200)',
      );
      continue;
    }
    const lines = rowsFor(found, port.path, ids);
    print(`  ${found.source} answered; device row${lines.length > 1 ? 's' : ''}:`);
    if (found.source === 'firmata') for (const l of firmataFacts(found)) print(`    # ${l}`);
    for (const l of lines) print(`    ${l}`);
    rows.push(...lines);
  }
  if (rows.length) {
    print('');
    print('# paste under devices: (rename the ids to suit the home)');
    for (const r of rows) print(r);
  }
  return EXIT.ok;
}

/** HEARTH_SCAN_ROOT: look under this directory's dev/ and sys/ instead (tests, images). */
function roots() {
  const r = process.env.HEARTH_SCAN_ROOT;
  return r ? { dev: join(r, 'dev'), sys: join(r, 'sys') } : undefined;
}

function describe(p: PortInfo): string {
  const parts = [
    p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : p.vendorId,
    p.manufacturer,
    p.product,
    p.byId && p.dev !== p.path ? `-> ${p.dev}` : undefined,
  ].filter(Boolean);
  return parts.length ? `  (${parts.join(', ')})` : '';
}

/** One YAML flow row per device found, ids unique within the scan. */
export function rowsFor(found: Found, path: string, ids: Set<string>): string[] {
  const unique = (base: string): string => {
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
    ids.add(id);
    return id;
  };
  if (found.source === 'ld2410') return [`- { id: ${unique('radar')}, source: ld2410, port: ${yaml(path)} }`];
  if (found.source === 'firmata') {
    const pin = found.inputs[0] ?? 2;
    return [
      `- { id: ${unique(`pin-${pin}`)}, source: firmata, port: ${yaml(path)}, pin: ${pin}, kind: CHANGE-ME }`,
    ];
  }
  return found.sensors.map(({ sensor, kind }) => {
    const id = unique(
      sensor
        .toLowerCase()
        .replace(/[^a-z0-9_-]+/g, '-')
        .replace(/^[-_]+/, '') || 'sensor',
    );
    return `- { id: ${id}, source: jsonl, port: ${yaml(path)}, sensor: ${yaml(sensor)}, kind: ${kind ?? 'CHANGE-ME'} }`;
  });
}

/** What a technician needs to pick pins: the firmware, the inputs and analog inputs it offers. */
function firmataFacts(f: Extract<Found, { source: 'firmata' }>): string[] {
  const span = f.inputs.length ? `digital inputs ${f.inputs.join(', ')}` : 'no digital inputs';
  return [
    `${f.firmware}, ${f.pins} pins: ${span}; analog ${f.analog.join(', ') || 'none'}`,
    f.pullUp
      ? 'inputs get the pull-up (INPUT_PULLUP)'
      : 'no INPUT_PULLUP: inputs get the pull-up by a HIGH write',
    'one row per pin; kind: output (role: prompt) for a buzzer, a threshold for an analog pad',
  ];
}

/** A plain YAML scalar when it is safe in a flow mapping, a quoted one otherwise. */
const yaml = (s: string): string => (/^[A-Za-z0-9/._+-][A-Za-z0-9/._:+-]*$/.test(s) ? s : JSON.stringify(s));
