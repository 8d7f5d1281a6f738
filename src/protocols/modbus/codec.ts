/**
 * Modbus PDU, MBAP (TCP) and RTU frame codec (Modbus Application Protocol v1.1b3 clause 6; Modbus over Serial Line
 * v1.02 clause 2.5 (RTU, CRC-16 poly 0xA001); Modbus Messaging on TCP/IP v1.0b clause 3.1.3 (MBAP header)).
 * Used by the simulator (server side) and the native TCP transport (client side). Every decode error is a
 * DecodeError with the byte offset.
 */
import { crc16Reflected } from '../../core/crc16.js';
import { DecodeError } from '../../core/errors.js';
import {
  ModbusExceptionError,
  ModbusProtocolError,
  isRead,
  requestProblem,
  type ModbusRequest,
  type ModbusResponse,
} from './types.js';

const P = 'modbus';

// ---------------------------------------------------------------- CRC (RTU)

/** CRC-16/MODBUS of an RTU frame (sent low byte first). */
export function crc16(buf: Uint8Array, start = 0, end = buf.length): number {
  return crc16Reflected(buf, 0xffff, start, end);
}

// ---------------------------------------------------------------- bits

function packBits(bits: readonly boolean[]): Buffer {
  const out = Buffer.alloc(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
}

function unpackBits(buf: Uint8Array, start: number, count: number): boolean[] {
  const out: boolean[] = new Array<boolean>(count);
  for (let i = 0; i < count; i++) out[i] = ((buf[start + (i >> 3)]! >> (i & 7)) & 1) === 1;
  return out;
}

// ---------------------------------------------------------------- client side: request out, response in

export function encodeRequestPdu(r: ModbusRequest): Buffer {
  const problem = requestProblem(r);
  if (problem) throw new RangeError(`modbus request: ${problem}`);
  if (isRead(r)) {
    const b = Buffer.alloc(5);
    b[0] = r.fc;
    b.writeUInt16BE(r.address, 1);
    b.writeUInt16BE(r.count, 3);
    return b;
  }
  switch (r.fc) {
    case 5: {
      const b = Buffer.alloc(5);
      b[0] = 5;
      b.writeUInt16BE(r.address, 1);
      b.writeUInt16BE(r.value ? 0xff00 : 0, 3);
      return b;
    }
    case 6: {
      const b = Buffer.alloc(5);
      b[0] = 6;
      b.writeUInt16BE(r.address, 1);
      b.writeUInt16BE(r.value, 3);
      return b;
    }
    case 15: {
      const bits = packBits(r.values);
      const b = Buffer.alloc(6 + bits.length);
      b[0] = 15;
      b.writeUInt16BE(r.address, 1);
      b.writeUInt16BE(r.values.length, 3);
      b[5] = bits.length;
      bits.copy(b, 6);
      return b;
    }
    case 16: {
      const b = Buffer.alloc(6 + r.values.length * 2);
      b[0] = 16;
      b.writeUInt16BE(r.address, 1);
      b.writeUInt16BE(r.values.length, 3);
      b[5] = r.values.length * 2;
      r.values.forEach((v, i) => b.writeUInt16BE(v, 6 + i * 2));
      return b;
    }
  }
}

/** Decode a response PDU for `req`; exception responses throw ModbusExceptionError, malformed ones DecodeError. */
export function decodeResponsePdu(req: ModbusRequest, pdu: Uint8Array, base = 0): ModbusResponse {
  if (pdu.length < 2) throw new DecodeError('response PDU shorter than 2 bytes', base + pdu.length, P);
  const fc = pdu[0]!;
  if (fc === (req.fc | 0x80)) throw new ModbusExceptionError(pdu[1]!, req);
  if (fc !== req.fc) throw new DecodeError(`function code ${fc} does not answer request fc ${req.fc}`, base, P);
  if (isRead(req)) {
    const n = pdu[1]!;
    const expected = req.fc <= 2 ? Math.ceil(req.count / 8) : req.count * 2;
    if (n !== expected) throw new DecodeError(`byte count ${n}, expected ${expected}`, base + 1, P);
    if (pdu.length < 2 + n) throw new DecodeError(`PDU truncated: ${pdu.length - 2} of ${n} data bytes`, base + pdu.length, P);
    if (req.fc <= 2) return { bits: unpackBits(pdu, 2, req.count) };
    const registers = new Array<number>(req.count);
    for (let i = 0; i < req.count; i++) registers[i] = (pdu[2 + i * 2]! << 8) | pdu[3 + i * 2]!;
    return { registers };
  }
  if (pdu.length < 5) throw new DecodeError('write response shorter than 5 bytes', base + pdu.length, P);
  const addr = (pdu[1]! << 8) | pdu[2]!;
  if (addr !== req.address) throw new DecodeError(`write echo address ${addr}, expected ${req.address}`, base + 1, P);
  return {};
}

// ---------------------------------------------------------------- server side: request in, response out

export type DecodedRequest = { ok: true; request: ModbusRequest } | { ok: false; fc: number; exception: number; reason: string };

/** Decode a request PDU as a server. Unsupported function → exception 1; bad quantity → exception 3. */
export function decodeRequestPdu(unitId: number, pdu: Uint8Array, base = 0): DecodedRequest {
  if (pdu.length < 1) throw new DecodeError('empty PDU', base, P);
  const fc = pdu[0]!;
  const need = (n: number) => {
    if (pdu.length < n) throw new DecodeError(`fc${fc} request needs ${n} bytes, got ${pdu.length}`, base + pdu.length, P);
  };
  const u16 = (o: number) => (pdu[o]! << 8) | pdu[o + 1]!;
  let request: ModbusRequest;
  switch (fc) {
    case 1:
    case 2:
    case 3:
    case 4:
      need(5);
      request = { fc, unitId, address: u16(1), count: u16(3) };
      break;
    case 5: {
      need(5);
      const v = u16(3);
      if (v !== 0xff00 && v !== 0) return { ok: false, fc, exception: 3, reason: `coil value 0x${v.toString(16)}` };
      request = { fc, unitId, address: u16(1), value: v === 0xff00 };
      break;
    }
    case 6:
      need(5);
      request = { fc, unitId, address: u16(1), value: u16(3) };
      break;
    case 15: {
      need(6);
      const count = u16(3);
      need(6 + pdu[5]!);
      if (pdu[5] !== Math.ceil(count / 8)) return { ok: false, fc, exception: 3, reason: 'byte count mismatch' };
      request = { fc, unitId, address: u16(1), values: unpackBits(pdu, 6, count) };
      break;
    }
    case 16: {
      need(6);
      const count = u16(3);
      need(6 + pdu[5]!);
      if (pdu[5] !== count * 2) return { ok: false, fc, exception: 3, reason: 'byte count mismatch' };
      const values: number[] = [];
      for (let i = 0; i < count; i++) values.push(u16(6 + i * 2));
      request = { fc, unitId, address: u16(1), values };
      break;
    }
    default:
      return { ok: false, fc, exception: 1, reason: `function code ${fc} not supported` };
  }
  const problem = requestProblem(unitId === 0 && isRead(request) ? { ...request, unitId: 1 } : request);
  if (problem) return { ok: false, fc, exception: problem.startsWith('address') ? 2 : 3, reason: problem };
  return { ok: true, request };
}

export function encodeResponsePdu(req: ModbusRequest, resp: ModbusResponse): Buffer {
  if (isRead(req)) {
    if (req.fc <= 2) {
      const bits = packBits(resp.bits ?? []);
      return Buffer.concat([Buffer.from([req.fc, bits.length]), bits]);
    }
    const regs = resp.registers ?? [];
    const b = Buffer.alloc(2 + regs.length * 2);
    b[0] = req.fc;
    b[1] = regs.length * 2;
    regs.forEach((v, i) => b.writeUInt16BE(v & 0xffff, 2 + i * 2));
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = req.fc;
  b.writeUInt16BE(req.address, 1);
  if (req.fc === 5) b.writeUInt16BE(req.value ? 0xff00 : 0, 3);
  else if (req.fc === 6) b.writeUInt16BE(req.value, 3);
  else b.writeUInt16BE(req.values.length, 3);
  return b;
}

export function encodeExceptionPdu(fc: number, code: number): Buffer {
  return Buffer.from([(fc | 0x80) & 0xff, code & 0xff]);
}

// ---------------------------------------------------------------- MBAP (TCP)

export const MBAP_HEADER = 7;

export function encodeMbap(transactionId: number, unitId: number, pdu: Uint8Array): Buffer {
  const b = Buffer.alloc(MBAP_HEADER + pdu.length);
  b.writeUInt16BE(transactionId & 0xffff, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(pdu.length + 1, 4);
  b[6] = unitId;
  b.set(pdu, MBAP_HEADER);
  return b;
}

export interface MbapFrame {
  transactionId: number;
  unitId: number;
  pdu: Buffer;
  /** Bytes consumed from the input. */
  length: number;
}

/** Take one MBAP frame from the start of `buf`; undefined when more bytes are needed. */
export function takeMbapFrame(buf: Buffer): MbapFrame | undefined {
  if (buf.length < MBAP_HEADER) return undefined;
  const protocolId = buf.readUInt16BE(2);
  if (protocolId !== 0) throw new DecodeError(`MBAP protocol id ${protocolId}, expected 0`, 2, P);
  const len = buf.readUInt16BE(4);
  if (len < 2 || len > 254) throw new DecodeError(`MBAP length ${len} outside 2..254`, 4, P);
  if (buf.length < 6 + len) return undefined;
  return { transactionId: buf.readUInt16BE(0), unitId: buf[6]!, pdu: buf.subarray(MBAP_HEADER, 6 + len), length: 6 + len };
}

// ---------------------------------------------------------------- RTU

export function encodeRtu(unitId: number, pdu: Uint8Array): Buffer {
  const b = Buffer.alloc(pdu.length + 3);
  b[0] = unitId;
  b.set(pdu, 1);
  b.writeUInt16LE(crc16(b, 0, pdu.length + 1), pdu.length + 1);
  return b;
}

/**
 * Length of the RTU request frame at the start of `buf` (server side), from its function code;
 * undefined when more bytes are needed to tell, -1 for an unknown function code.
 */
export function rtuRequestLength(buf: Uint8Array): number | undefined {
  if (buf.length < 2) return undefined;
  const fc = buf[1]!;
  if (fc >= 1 && fc <= 6) return 8;
  if (fc === 15 || fc === 16) return buf.length < 7 ? undefined : 9 + buf[6]!;
  return -1;
}

/** Length of the RTU response frame at the start of `buf` (client side) for a request with function `fc`. */
export function rtuResponseLength(buf: Uint8Array, fc: number): number | undefined {
  if (buf.length < 2) return undefined;
  if (buf[1] === (fc | 0x80)) return 5;
  if (fc <= 4) return buf.length < 3 ? undefined : 5 + buf[2]!;
  return 8;
}

/** Check an RTU frame's CRC and split it; throws DecodeError on a bad CRC. */
export function decodeRtu(frame: Uint8Array): { unitId: number; pdu: Buffer } {
  if (frame.length < 4) throw new DecodeError('RTU frame shorter than 4 bytes', frame.length, P);
  const crc = frame[frame.length - 2]! | (frame[frame.length - 1]! << 8);
  const calc = crc16(frame, 0, frame.length - 2);
  if (crc !== calc) throw new DecodeError(`CRC 0x${crc.toString(16)} != 0x${calc.toString(16)}`, frame.length - 2, P);
  return { unitId: frame[0]!, pdu: Buffer.from(frame.subarray(1, frame.length - 2)) };
}

/** Response frame size in bytes for a request (RTU: unit + PDU + CRC), used for bus-time accounting. */
export function rtuResponseBytes(req: ModbusRequest): number {
  if (isRead(req)) return 5 + (req.fc <= 2 ? Math.ceil(req.count / 8) : req.count * 2);
  return 8;
}

export function rtuRequestBytes(req: ModbusRequest): number {
  if (isRead(req) || req.fc === 5 || req.fc === 6) return 8;
  return 9 + (req.fc === 15 ? Math.ceil(req.values.length / 8) : req.values.length * 2);
}

/** Wrap a decode failure as a ModbusProtocolError for the scheduler (keeps offset in the message). */
export function asProtocolError(e: unknown): ModbusProtocolError | ModbusExceptionError {
  if (e instanceof ModbusExceptionError) return e;
  return new ModbusProtocolError(e instanceof Error ? e.message : String(e));
}
