// What `hearth scan ble` makes of one heard device: its type, a one-line description and a device
// row ready to paste into the provisioning file. Pure: the advert in, text out.
import { decodeBthome } from './bthome/decode.ts';
import { decodeIBeacon } from './ibeacon.ts';

export type Heard = {
  address: string;
  rssi: number;
  name?: string;
  serviceData: { uuid: string; data: Buffer }[];
  serviceUuids: string[];
  manufacturerData?: Buffer;
};

export type Found = { type: 'bthome' | 'ibeacon' | 'heart-rate' | 'other'; detail: string; row?: string };

export function classify(h: Heard): Found {
  const bthome = h.serviceData.find((s) => s.uuid === 'fcd2');
  if (bthome) {
    const r = decodeBthome(bthome.data, { address: h.address });
    const encrypted = (bthome.data[0] ?? 0) & 0x01;
    const detail = r.ok
      ? r.readings.map((x) => `${x.kind}=${x.value}`).join(' ') || 'no readings in this advert'
      : encrypted
        ? 'encrypted: needs its bind key'
        : r.reason;
    const key = encrypted ? ', bindkey: "${file:/etc/hearth/keys/CHANGE-ME.key}"' : '';
    return {
      type: 'bthome',
      detail,
      row: `- { id: CHANGE-ME, source: bthome, address: "${h.address}"${key}, room: CHANGE-ME }`,
    };
  }
  const beacon = h.manufacturerData ? decodeIBeacon(h.manufacturerData) : undefined;
  if (beacon?.ok) {
    return {
      type: 'ibeacon',
      detail: `uuid ${beacon.uuid} major ${beacon.major} minor ${beacon.minor} tx ${beacon.txPower} dBm`,
      row: `- { id: CHANGE-ME, source: ibeacon, uuid: "${beacon.uuid}", major: ${beacon.major}, minor: ${beacon.minor}, role: wearable }`,
    };
  }
  if (h.serviceUuids.includes('180d')) {
    return {
      type: 'heart-rate',
      detail: 'Heart Rate Service',
      row: `- { id: CHANGE-ME, source: heart-rate, address: "${h.address}", role: wearable }`,
    };
  }
  return { type: 'other', detail: 'not a device Hearth reads' };
}
