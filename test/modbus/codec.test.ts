import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/core/errors.js';
import {
  crc16,
  decodeRequestPdu,
  decodeResponsePdu,
  decodeRtu,
  encodeMbap,
  encodeRequestPdu,
  encodeResponsePdu,
  encodeRtu,
  rtuRequestLength,
  rtuResponseLength,
  takeMbapFrame,
} from '../../src/protocols/modbus/codec.js';
import { ModbusExceptionError, type ModbusRequest, type ModbusResponse } from '../../src/protocols/modbus/types.js';

interface Vectors {
  pdus: Array<{ name: string; request: ModbusRequest; requestHex: string; responseHex: string; response: ModbusResponse }>;
  exceptions: Array<{ name: string; request: ModbusRequest; responseHex: string; code: number; exceptionName: string }>;
  rtu: Array<{ name: string; unitId: number; pduHex: string; frameHex: string }>;
  mbap: Array<{ name: string; transactionId: number; unitId: number; pduHex: string; frameHex: string }>;
}
const V = JSON.parse(readFileSync(join(__dirname, '..', 'vectors', 'modbus', 'frames.json'), 'utf8')) as Vectors;
const hex = (h: string) => Buffer.from(h, 'hex');

describe('Modbus PDU codec (golden vectors, both directions)', () => {
  for (const v of V.pdus) {
    it(v.name, () => {
      expect(encodeRequestPdu(v.request).toString('hex')).toBe(v.requestHex);
      expect(decodeRequestPdu(v.request.unitId, hex(v.requestHex))).toEqual({ ok: true, request: v.request });
      expect(decodeResponsePdu(v.request, hex(v.responseHex))).toEqual(v.response);
      expect(encodeResponsePdu(v.request, v.response).toString('hex')).toBe(v.responseHex);
    });
  }
  for (const v of V.exceptions) {
    it(v.name, () => {
      let err: unknown;
      try {
        decodeResponsePdu(v.request, hex(v.responseHex));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ModbusExceptionError);
      expect(err).toMatchObject({ code: v.code, exceptionName: v.exceptionName });
    });
  }
  for (const v of V.rtu) {
    it(`RTU ${v.name}`, () => {
      expect(encodeRtu(v.unitId, hex(v.pduHex)).toString('hex')).toBe(v.frameHex);
      expect(decodeRtu(hex(v.frameHex))).toEqual({ unitId: v.unitId, pdu: hex(v.pduHex) });
      expect(rtuRequestLength(hex(v.frameHex))).toBe(8);
    });
  }
  for (const v of V.mbap) {
    it(`MBAP ${v.name}`, () => {
      expect(encodeMbap(v.transactionId, v.unitId, hex(v.pduHex)).toString('hex')).toBe(v.frameHex);
      expect(takeMbapFrame(hex(v.frameHex))).toMatchObject({ transactionId: v.transactionId, unitId: v.unitId, pdu: hex(v.pduHex), length: v.frameHex.length / 2 });
    });
  }
});

describe('codec errors are typed and located', () => {
  it('bad CRC names the offset', () => {
    const f = hex('010300000001840b');
    expect(() => decodeRtu(f)).toThrow(DecodeError);
    try {
      decodeRtu(f);
    } catch (e) {
      expect((e as DecodeError).offset).toBe(6);
    }
  });
  it('wrong byte count and truncated PDUs', () => {
    const req: ModbusRequest = { fc: 3, unitId: 1, address: 0, count: 2 };
    expect(() => decodeResponsePdu(req, hex('030200'))).toThrow(/byte count 2, expected 4/);
    expect(() => decodeResponsePdu(req, hex('0304000a'))).toThrow(/truncated/);
    expect(() => decodeResponsePdu(req, hex('04040000'))).toThrow(/does not answer/);
    expect(() => takeMbapFrame(hex('00010001000603'))).toThrow(/protocol id 1/);
  });
  it('server side: unsupported function → exception 1, quantity out of range → exception 3', () => {
    expect(decodeRequestPdu(1, hex('2b0e0100'))).toMatchObject({ ok: false, exception: 1 });
    expect(decodeRequestPdu(1, hex('0300000000'))).toMatchObject({ ok: false, exception: 3 });
    expect(decodeRequestPdu(1, hex('030000007e'))).toMatchObject({ ok: false, exception: 3 });
    expect(decodeRequestPdu(1, hex('0500010001'))).toMatchObject({ ok: false, exception: 3 });
  });
  it('refuses to encode out-of-range requests', () => {
    expect(() => encodeRequestPdu({ fc: 3, unitId: 1, address: 65535, count: 2 })).toThrow(RangeError);
    expect(() => encodeRequestPdu({ fc: 3, unitId: 0, address: 0, count: 1 })).toThrow(/broadcast/);
    expect(() => encodeRequestPdu({ fc: 6, unitId: 1, address: 0, value: 70000 })).toThrow(RangeError);
  });
  it('frame lengths for streaming', () => {
    expect(rtuRequestLength(hex('01'))).toBeUndefined();
    expect(rtuRequestLength(hex('0110000100020400'))).toBe(13);
    expect(rtuRequestLength(hex('0141'))).toBe(-1);
    expect(rtuResponseLength(hex('0183'), 3)).toBe(5);
    expect(rtuResponseLength(hex('010306'), 3)).toBe(11);
  });
  it('property: request and response round trip; crc of frame+crc is 0', () => {
    const arbReq = fc.oneof(
      fc.record({ fc: fc.constantFrom(3 as const, 4 as const), unitId: fc.integer({ min: 1, max: 247 }), address: fc.integer({ min: 0, max: 65000 }), count: fc.integer({ min: 1, max: 125 }) }),
      fc.record({ fc: fc.constant(16 as const), unitId: fc.integer({ min: 0, max: 247 }), address: fc.integer({ min: 0, max: 65000 }), values: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 123 }) }),
      fc.record({ fc: fc.constant(15 as const), unitId: fc.integer({ min: 0, max: 247 }), address: fc.integer({ min: 0, max: 60000 }), values: fc.array(fc.boolean(), { minLength: 1, maxLength: 1968 }) }),
    );
    fc.assert(
      fc.property(arbReq, (r) => {
        const pdu = encodeRequestPdu(r);
        expect(decodeRequestPdu(r.unitId, pdu)).toEqual({ ok: true, request: r });
        const frame = encodeRtu(r.unitId, pdu);
        expect(crc16(frame)).toBe(0);
        expect(rtuRequestLength(frame)).toBe(frame.length);
        if (r.fc === 3 || r.fc === 4) {
          const resp = { registers: Array.from({ length: r.count }, (_, i) => (i * 7919) & 0xffff) };
          expect(decodeResponsePdu(r, encodeResponsePdu(r, resp))).toEqual(resp);
        }
      }),
      { numRuns: 300 },
    );
  });
});
