// BTHome v2 service data (UUID 0xFCD2) to Hearth readings. Pure: bytes in, a result out, never
// a throw, so one odd advert from a neighbour's sensor cannot stop the BLE source.
import { createDecipheriv } from 'node:crypto';
import { type BthomeKind, type BthomeObject, BUTTON_EVENTS, OBJECTS } from './objects.ts';

export type BthomeReading = { kind: BthomeKind; value: number | boolean | string };

export type BthomeResult =
  | {
      ok: true;
      encrypted: boolean;
      /** Device-info bit 2: the device sends on events only, so silence between them is normal. */
      trigger: boolean;
      readings: BthomeReading[];
      packetId?: number;
      /** The AES-CCM counter of an encrypted advert: pass it to `acceptCounter` to refuse replays. */
      counter?: number;
      /** Why the walk stopped early; the readings before it are kept. */
      problem?: string;
    }
  | { ok: false; reason: string };

export type BthomeOptions = { bindkey?: Buffer /** "A4:C1:38:8D:18:B2" */; address?: string };

const UUID_LE = Buffer.from([0xd2, 0xfc]);
const COUNTER_AND_MIC = 8;
/** The smallest object is two bytes (id and one data byte), so less cannot hold a reading. */
const MIN_ENCRYPTED = COUNTER_AND_MIC + 2;

export function decodeBthome(serviceData: Buffer, opts: BthomeOptions = {}): BthomeResult {
  if (serviceData.length < 1) return { ok: false, reason: 'empty BTHome service data' };
  const info = serviceData.readUInt8(0);
  const version = info >> 5;
  if (version !== 2)
    return { ok: false, reason: `BTHome version ${version} in the device-info byte, expected 2` };
  const encrypted = (info & 0x01) !== 0;
  const trigger = (info & 0x04) !== 0;
  let body = serviceData.subarray(1);
  let mac: Buffer | undefined;
  if (info & 0x02) {
    // Bit 1: the advertiser put its MAC (reversed) first, e.g. behind a random private address.
    if (body.length < 6) return { ok: false, reason: 'truncated: device-info says a MAC follows' };
    mac = Buffer.from(body.subarray(0, 6)).reverse();
    body = body.subarray(6);
  }
  let counter: number | undefined;
  if (encrypted) {
    const opened = decrypt(body, info, mac ?? opts.address, opts.bindkey);
    if (!opened.ok) return opened;
    body = opened.payload;
    counter = opened.counter;
  } else if (opts.bindkey) {
    // A device we hold a key for must never be believed in plain text (a downgrade attack).
    return { ok: false, reason: 'plain-text advert from a device with a bind key (downgrade?)' };
  }
  const walked = walk(body);
  if (walked.problem && walked.readings.length === 0) return { ok: false, reason: walked.problem };
  return { ok: true, encrypted, trigger, ...walked, ...(counter === undefined ? {} : { counter }) };
}

/**
 * Whether an encrypted advert's counter is new. A counter below `RESTART_WINDOW` is taken as the
 * device restarting (battery change) rather than a replay, as bthome-ble does: refusing it would
 * silence the sensor until someone re-pairs it.
 */
export function acceptCounter(lastCounter: number | undefined, counter: number): boolean {
  return lastCounter === undefined || counter > lastCounter || counter < RESTART_WINDOW;
}
export const RESTART_WINDOW = 100;

type Walked = { readings: BthomeReading[]; packetId?: number; problem?: string };

/** The one interpreter of the OBJECTS table: each object is an id byte and its data. */
function walk(payload: Buffer): Walked {
  const out: Walked = { readings: [] };
  let at = 0;
  while (at < payload.length) {
    const id = payload.readUInt8(at);
    const object = OBJECTS.get(id);
    if (!object) return { ...out, problem: `unknown object id 0x${hex(id)} at payload byte ${at}` };
    const { start, len } = span(payload, at, object);
    if (start + len > payload.length) {
      return { ...out, problem: `truncated object 0x${hex(id)} (${object.name}) at payload byte ${at}` };
    }
    read(payload, start, len, object, out);
    at = start + len;
  }
  return out;
}

function span(payload: Buffer, at: number, object: BthomeObject): { start: number; len: number } {
  switch (object.read) {
    case 'sized':
      // A missing length byte reads as "too long", so the caller reports truncation.
      return at + 1 < payload.length
        ? { start: at + 2, len: payload.readUInt8(at + 1) }
        : { start: at + 1, len: 1 };
    case 'uint':
    case 'sint':
    case 'skip':
      return { start: at + 1, len: object.len };
    default:
      return { start: at + 1, len: 1 };
  }
}

function read(payload: Buffer, start: number, len: number, object: BthomeObject, out: Walked): void {
  switch (object.read) {
    case 'packet_id':
      out.packetId = payload.readUInt8(start);
      return;
    case 'uint':
      out.readings.push({ kind: object.kind, value: payload.readUIntLE(start, len) / object.div });
      return;
    case 'sint':
      out.readings.push({ kind: object.kind, value: payload.readIntLE(start, len) / object.div });
      return;
    case 'bool':
      out.readings.push({ kind: object.kind, value: payload.readUInt8(start) !== 0 });
      return;
    case 'button': {
      // 0x00 "none" (and codes newer than this table) is no press: no reading, not an error.
      const event = BUTTON_EVENTS.get(payload.readUInt8(start));
      if (event) out.readings.push({ kind: 'button', value: event });
      return;
    }
    default:
      return; // skip and sized: consumed, not used
  }
}

type Opened = { ok: true; payload: Buffer; counter: number } | { ok: false; reason: string };

/** AES-128-CCM, 4-byte tag; nonce = MAC, UUID 0xFCD2 (little-endian), device-info byte, counter. */
function decrypt(body: Buffer, info: number, address: Buffer | string | undefined, key?: Buffer): Opened {
  if (!key) return { ok: false, reason: 'encrypted advert but no bind key configured for this device' };
  if (key.length !== 16) return { ok: false, reason: 'bind key must be 16 bytes (32 hex characters)' };
  const mac = typeof address === 'string' ? parseMac(address) : address;
  if (!mac)
    return { ok: false, reason: 'encrypted advert needs the advertiser MAC address (part of the nonce)' };
  if (body.length < MIN_ENCRYPTED) {
    return {
      ok: false,
      reason: `truncated encrypted payload (${body.length} bytes, at least ${MIN_ENCRYPTED})`,
    };
  }
  const end = body.length;
  const counterBytes = body.subarray(end - 8, end - 4);
  const nonce = Buffer.concat([mac, UUID_LE, Buffer.from([info]), counterBytes]);
  try {
    const decipher = createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: 4 });
    decipher.setAuthTag(body.subarray(end - 4));
    const payload = Buffer.concat([decipher.update(body.subarray(0, end - 8)), decipher.final()]);
    return { ok: true, payload, counter: counterBytes.readUInt32LE(0) };
  } catch {
    // node:crypto signals a failed tag check by throwing; here it is an expected outcome.
    return { ok: false, reason: 'decryption failed: wrong bind key for this device?' };
  }
}

function parseMac(address: string): Buffer | undefined {
  if (!/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i.test(address)) return undefined;
  return Buffer.from(address.replace(/[:-]/g, ''), 'hex');
}

const hex = (n: number): string => n.toString(16).padStart(2, '0');
