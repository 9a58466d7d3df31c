// HLK-LD2410 mmWave radar, the meaning of one frame (the framer finds frame boundaries).
// Pure: bytes in, a result out; a bad frame is a value, never an exception.
//   report:  F4 F3 F2 F1 | len u16 LE | type AA ... 55 check | F8 F7 F6 F5
//   command: FD FC FB FA | len u16 LE | word u16 LE | value... | 04 03 02 01
// An ACK is a command frame whose word is the command | 0x0100, followed by a u16 status.
import type { Reading } from '../../../core/reading.ts';
import { type AckBody, decodeAckBody } from './ack.ts';

export const REPORT_HEADER = Uint8Array.of(0xf4, 0xf3, 0xf2, 0xf1);
export const REPORT_FOOTER = Uint8Array.of(0xf8, 0xf7, 0xf6, 0xf5);
export const COMMAND_HEADER = Uint8Array.of(0xfd, 0xfc, 0xfb, 0xfa);
export const COMMAND_FOOTER = Uint8Array.of(0x04, 0x03, 0x02, 0x01);
/** Header (4) + length (2) + footer (4) around every payload. */
export const FRAME_OVERHEAD = 10;

export const COMMANDS = {
  enableConfiguration: 0x00ff,
  endConfiguration: 0x00fe,
  enableEngineering: 0x0062,
  disableEngineering: 0x0063,
  readFirmware: 0x00a0,
} as const;

/** 0 none, 1 moving, 2 stationary, 3 both. Other values are refused as a bad payload. */
export type TargetState = 0 | 1 | 2 | 3;

export type Report = {
  type: 'report';
  mode: 'basic' | 'engineering';
  targetState: TargetState;
  movingDistanceCm: number;
  movingEnergy: number;
  stationaryDistanceCm: number;
  stationaryEnergy: number;
  detectionDistanceCm: number;
};

export type EngineeringReport = Report & {
  mode: 'engineering';
  maxMovingGate: number;
  maxStationaryGate: number;
  movingGateEnergy: number[];
  stationaryGateEnergy: number[];
  /** Bytes after the gate energies (newer firmware: light level, OUT pin); empty on older firmware. */
  extra: number[];
  light?: number;
  out?: number;
};

export type Ack = { type: 'ack'; command: number; ackWord: number; status: number; body: AckBody };
/** A frame the host sends (seen only when decoding our own encoders or a simulator's input). */
export type Command = { type: 'command'; command: number; value: Uint8Array };

export type Frame = Report | EngineeringReport | Ack | Command;
export type FailReason =
  | 'too-short'
  | 'bad-header'
  | 'bad-length'
  | 'bad-footer'
  | 'bad-payload'
  | 'unknown-data-type';
export type DecodeResult = { ok: true; frame: Frame } | { ok: false; reason: FailReason; detail?: string };

const fail = (reason: FailReason, detail?: string): DecodeResult =>
  detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };

export function startsWith(bytes: Uint8Array, marker: Uint8Array, at = 0): boolean {
  for (let i = 0; i < marker.length; i++) if (bytes[at + i] !== marker[i]) return false;
  return true;
}

const u16 = (b: Uint8Array, i: number): number => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);

/** Decode one whole frame, header to footer, of either family. */
export function decodeFrame(bytes: Uint8Array): DecodeResult {
  if (bytes.length < FRAME_OVERHEAD) return fail('too-short');
  const report = startsWith(bytes, REPORT_HEADER);
  if (!report && !startsWith(bytes, COMMAND_HEADER)) return fail('bad-header');
  const len = u16(bytes, 4);
  if (bytes.length !== FRAME_OVERHEAD + len)
    return fail('bad-length', `length field ${len}, frame ${bytes.length}`);
  if (!startsWith(bytes, report ? REPORT_FOOTER : COMMAND_FOOTER, 6 + len)) return fail('bad-footer');
  const payload = bytes.subarray(6, 6 + len);
  return report ? decodeReportPayload(payload) : decodeCommandPayload(payload);
}

// Payload: type, 0xAA, target data, [engineering data], 0x55, check (documented as 0x00; not checked).
function decodeReportPayload(p: Uint8Array): DecodeResult {
  if (p.length < 13) return fail('bad-payload', 'report shorter than its target data');
  if (p[1] !== 0xaa || p[p.length - 2] !== 0x55) return fail('bad-payload', 'report head/tail markers');
  const state = p[2] ?? 0;
  if (state > 3) return fail('bad-payload', `target state ${state}`);
  const base: Report = {
    type: 'report',
    mode: 'basic',
    targetState: state as TargetState,
    movingDistanceCm: u16(p, 3),
    movingEnergy: p[5] ?? 0,
    stationaryDistanceCm: u16(p, 6),
    stationaryEnergy: p[8] ?? 0,
    detectionDistanceCm: u16(p, 9),
  };
  if (p[0] === 0x02) return { ok: true, frame: base };
  if (p[0] === 0x01) return decodeEngineering(base, p);
  return fail('unknown-data-type', `0x${(p[0] ?? 0).toString(16)}`);
}

// Engineering data after the target data: max moving gate N, max stationary gate M,
// N+1 moving energies, M+1 stationary energies, then extra bytes up to the 0x55 tail.
function decodeEngineering(base: Report, p: Uint8Array): DecodeResult {
  const n = p[11] ?? 0;
  const m = p[12] ?? 0;
  if (n > 8 || m > 8) return fail('bad-payload', `max gates ${n}/${m}`);
  const movingAt = 13;
  const stationaryAt = movingAt + n + 1;
  const extraAt = stationaryAt + m + 1;
  const tailAt = p.length - 2;
  if (extraAt > tailAt) return fail('bad-payload', 'engineering data truncated');
  const extra = [...p.subarray(extraAt, tailAt)];
  const frame: EngineeringReport = {
    ...base,
    mode: 'engineering',
    maxMovingGate: n,
    maxStationaryGate: m,
    movingGateEnergy: [...p.subarray(movingAt, stationaryAt)],
    stationaryGateEnergy: [...p.subarray(stationaryAt, extraAt)],
    extra,
  };
  if (extra.length >= 2) {
    frame.light = extra[0];
    frame.out = extra[1];
  }
  return { ok: true, frame };
}

function decodeCommandPayload(p: Uint8Array): DecodeResult {
  if (p.length < 2) return fail('bad-payload', 'no command word');
  const word = u16(p, 0);
  if ((word & 0x0100) === 0)
    return { ok: true, frame: { type: 'command', command: word, value: p.slice(2) } };
  if (p.length < 4) return fail('bad-payload', 'ACK without status');
  const command = word & 0xfeff;
  const status = u16(p, 2);
  const body = decodeAckBody(command, status, p.subarray(4));
  if (body === undefined)
    return fail('bad-payload', `ACK 0x${word.toString(16)} data length ${p.length - 4}`);
  return { ok: true, frame: { type: 'ack', command, ackWord: word, status, body } };
}

/** A command frame as the host sends it. */
export function encodeCommand(command: number, value: Uint8Array = new Uint8Array(0)): Uint8Array {
  const len = 2 + value.length;
  const out = new Uint8Array(FRAME_OVERHEAD + len);
  out.set(COMMAND_HEADER, 0);
  out.set([len & 0xff, len >> 8, command & 0xff, (command >> 8) & 0xff], 4);
  out.set(value, 8);
  out.set(COMMAND_FOOTER, 6 + len);
  return out;
}

// Every other command is only accepted between enable (value 0x0001) and end configuration.
export const enableConfiguration = () =>
  encodeCommand(COMMANDS.enableConfiguration, Uint8Array.of(0x01, 0x00));
export const endConfiguration = () => encodeCommand(COMMANDS.endConfiguration);
export const enableEngineering = () => encodeCommand(COMMANDS.enableEngineering);
export const disableEngineering = () => encodeCommand(COMMANDS.disableEngineering);
export const readFirmware = () => encodeCommand(COMMANDS.readFirmware);

/** The Hearth reading of one report: someone is there when the radar sees any target. */
export function presenceReading(report: Report, device: string, at: number): Reading {
  return {
    device,
    at,
    kind: 'presence',
    value: report.targetState !== 0,
    facts: {
      target_state: report.targetState,
      moving_distance_cm: report.movingDistanceCm,
      moving_energy: report.movingEnergy,
      stationary_distance_cm: report.stationaryDistanceCm,
      stationary_energy: report.stationaryEnergy,
      detection_distance_cm: report.detectionDistanceCm,
    },
  };
}
