// `hearth decode bthome|ibeacon|heart-rate HEX`: one payload decoded as the gateway would, for a
// technician diagnosing a device. JSON on stdout; bad input is exit 2 with the reason.
import { resolveSecret } from '../../config/load.ts';
import { EXIT } from '../../core/process.ts';
import { decodeBthome } from '../../firmware-bridge/ble/bthome/decode.ts';
import { decodeHeartRate } from '../../firmware-bridge/ble/heart-rate.ts';
import { decodeIBeacon } from '../../firmware-bridge/ble/ibeacon.ts';

export type Decoded = { code: number; stdout?: string; stderr?: string };
type Options = { bindkey?: string; address?: string };

export const DECODERS = ['bthome', 'ibeacon', 'heart-rate'] as const;

export function decodeCommand(type: string, hex: string, o: Options = {}): Decoded {
  const refuse = (why: string, partial?: object): Decoded => ({
    code: EXIT.badInput,
    stderr: `hearth decode ${type}: ${why}`,
    ...(partial ? { stdout: JSON.stringify(partial) } : {}),
  });
  const data = parseHex(hex);
  if (!data) return refuse(`"${hex}" is not hex: expected pairs of 0-9 a-f, e.g. 403a01`);
  switch (type) {
    case 'bthome':
      return bthome(data, o, refuse);
    case 'ibeacon': {
      // Accepted with or without Apple's company id in front, as tools print it either way.
      const full =
        data[0] === 0x02 && data[1] === 0x15 ? Buffer.concat([Buffer.from([0x4c, 0x00]), data]) : data;
      const b = decodeIBeacon(full);
      if (!b.ok) return refuse(b.reason);
      const { uuid, major, minor, txPower } = b;
      const readings = [{ kind: 'presence', value: true }];
      return ok({ type, uuid, major, minor, tx_power: txPower, readings });
    }
    case 'heart-rate': {
      const m = decodeHeartRate(data);
      if (!m.ok) return refuse(m.reason);
      const readings = m.valid ? [{ kind: 'heart_rate', value: m.bpm }] : [];
      return ok({
        type,
        bpm: m.bpm,
        contact: m.contact,
        ...(m.energyKj === undefined ? {} : { energy_kj: m.energyKj }),
        rr_ms: m.rrMs,
        readings,
        ...(m.valid ? {} : { note: 'no reading: the sensor is not in contact (or the rate is 0)' }),
      });
    }
    default:
      return refuse(`unknown payload type "${type}"; expected ${DECODERS.join(', ')}`);
  }
}

function bthome(data: Buffer, o: Options, refuse: (why: string, partial?: object) => Decoded): Decoded {
  let bindkey: Buffer | undefined;
  if (o.bindkey) {
    let key = o.bindkey;
    try {
      if (/^\$\{(env|file):/.test(key)) key = resolveSecret(key).trim();
    } catch (e) {
      return refuse(`--bindkey ${o.bindkey} cannot be resolved: ${(e as Error).message}`);
    }
    if (!/^[0-9a-fA-F]{32}$/.test(key)) return refuse('--bindkey must be 32 hex digits (16 bytes)');
    bindkey = Buffer.from(key, 'hex');
  }
  // Service data copied with its UUID (d2 fc) in front: a v2 device-info byte is never 0xd2.
  const body = data[0] === 0xd2 && data[1] === 0xfc ? data.subarray(2) : data;
  const r = decodeBthome(body, {
    ...(bindkey ? { bindkey } : {}),
    ...(o.address ? { address: o.address } : {}),
  });
  if (!r.ok) return refuse(r.reason + (HINTS.find(([re]) => re.test(r.reason))?.[1] ?? ''));
  const out = {
    type: 'bthome',
    encrypted: r.encrypted,
    trigger: r.trigger,
    ...(r.packetId === undefined ? {} : { packet_id: r.packetId }),
    ...(r.counter === undefined ? {} : { counter: r.counter }),
    readings: r.readings,
  };
  return r.problem ? refuse(r.problem, { ...out, problem: r.problem }) : ok(out);
}

/** What the technician can add on the command line to get further. */
const HINTS: [RegExp, string][] = [
  [/no bind key/, '; give it with --bindkey'],
  [/MAC address/, '; give it with --address'],
];

const ok = (value: object): Decoded => ({ code: EXIT.ok, stdout: JSON.stringify(value) });

function parseHex(text: string): Buffer | undefined {
  const clean = text.replace(/^0x/i, '').replace(/[\s:-]/g, '');
  if (!clean || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) return undefined;
  return Buffer.from(clean, 'hex');
}
