import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecodeError } from '../../src/core/errors.js';
import { decodeApdu, encodeIFrame, encodeSFrame, encodeUFrame, FrameReader, type Apci } from '../../src/protocols/iec104/apci.js';
import { decodeAsdu, encodeAsdu, packAsdus, type Asdu, type InfoObject } from '../../src/protocols/iec104/asdu.js';
import { decodeFrame, encodeIAsdu } from '../../src/protocols/iec104/codec.js';
import { cp56FromEpoch, cp56ToEpoch } from '../../src/protocols/iec104/cp56time.js';
import { TypeId } from '../../src/protocols/iec104/constants.js';
import { ELEMENTS } from '../../src/protocols/iec104/types/elements.js';

interface Golden {
  asdus: Array<{ name: string; source: string; hex: string; decoded: Omit<Asdu, 'raw'> & { raw?: string } }>;
  apdus: Array<{ name: string; hex: string; apci: Apci; asdu?: string }>;
  bad: Array<{ name: string; hex: string; offset: number }>;
}
const golden = JSON.parse(readFileSync(join(__dirname, '..', 'vectors', 'iec104', 'golden.json'), 'utf8')) as Golden;
const fromJson = (d: Golden['asdus'][number]['decoded']): Asdu => {
  const { raw, ...rest } = d;
  return raw === undefined ? rest : { ...rest, raw: Buffer.from(raw, 'hex') };
};

describe('golden ASDU vectors', () => {
  it('cover every supported type id', () => {
    const covered = new Set(golden.asdus.map((v) => v.decoded.typeId));
    for (const id of ELEMENTS.keys()) expect(covered.has(id), `type ${id}`).toBe(true);
    for (const v of golden.asdus) expect(v.source.length).toBeGreaterThan(5);
  });
  for (const v of golden.asdus) {
    it(`decode ${v.name}`, () => {
      expect(decodeAsdu(Buffer.from(v.hex, 'hex'))).toEqual(fromJson(v.decoded));
    });
    it(`encode ${v.name}`, () => {
      expect(encodeAsdu(fromJson(v.decoded)).toString('hex').toUpperCase()).toBe(v.hex.toUpperCase());
    });
  }
});

describe('golden APDU vectors', () => {
  for (const v of golden.apdus) {
    it(`decode ${v.name}`, () => {
      const d = decodeApdu(Buffer.from(v.hex, 'hex'));
      expect(d.apci).toEqual(v.apci);
      if (v.asdu) expect(d.asdu?.toString('hex').toUpperCase()).toBe(v.asdu);
    });
    it(`encode ${v.name}`, () => {
      const a = v.apci;
      const buf = a.format === 'U' ? encodeUFrame(a.fn) : a.format === 'S' ? encodeSFrame(a.nr) : encodeIFrame(a.ns, a.nr, Buffer.from(v.asdu ?? '', 'hex'));
      expect(buf.toString('hex').toUpperCase()).toBe(v.hex.toUpperCase());
    });
  }
  it('encodeIAsdu writes APCI and ASDU in one buffer', () => {
    const f = encodeIAsdu(32767, 300, { typeId: TypeId.C_IC_NA_1, cot: 6, ca: 1, objects: [{ ioa: 0, qualifier: 20 }] });
    expect(f.toString('hex').toUpperCase()).toBe('680EFEFF580264010600010000000014');
  });
});

describe('malformed frames', () => {
  for (const v of golden.bad) {
    it(`rejects ${v.name} at offset ${v.offset}`, () => {
      let err: unknown;
      try {
        decodeFrame(Buffer.from(v.hex, 'hex'));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DecodeError);
      expect((err as DecodeError).offset).toBe(v.offset);
    });
  }
  it('encoder refuses oversize ASDUs and non-consecutive SQ=1', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ ioa: i, value: 1 }));
    expect(() => encodeAsdu({ typeId: 13, cot: 3, ca: 1, objects: many })).toThrow(RangeError);
    expect(() => encodeAsdu({ typeId: 13, sq: true, cot: 3, ca: 1, objects: [{ ioa: 1 }, { ioa: 3 }] })).toThrow(/consecutive/);
    expect(() => encodeAsdu({ typeId: 13, cot: 3, ca: 1, objects: [{ ioa: 0x1000000 }] })).toThrow(/IOA/);
  });
});

describe('FrameReader', () => {
  it('reassembles frames split at every octet and joined', () => {
    const frames = [encodeUFrame('STARTDT_ACT'), encodeSFrame(7), encodeIFrame(1, 2, Buffer.from('64010600010000000014', 'hex'))];
    const stream = Buffer.concat(frames);
    for (let cut = 1; cut < stream.length; cut++) {
      const r = new FrameReader();
      const got: string[] = [];
      r.push(stream.subarray(0, cut), (f) => got.push(f.toString('hex')));
      r.push(stream.subarray(cut), (f) => got.push(f.toString('hex')));
      expect(got).toEqual(frames.map((f) => f.toString('hex')));
      expect(r.buffered).toBe(0);
    }
  });
  it('throws a DecodeError with the stream offset on a bad start octet', () => {
    const r = new FrameReader();
    r.push(encodeUFrame('TESTFR_ACT'), () => undefined);
    expect(() => r.push(Buffer.from([0x68, 4, 0x43, 0, 0, 0, 0x10]), () => undefined)).toThrow(/offset 12/);
  });
});

describe('CP56Time2a', () => {
  it('round-trips epoch milliseconds in UTC and with an offset', () => {
    const t = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const c = cp56FromEpoch(t);
    expect(c).toMatchObject({ ms: 5678, minute: 4, hour: 3, day: 2, dow: 5, month: 1, year: 26 });
    expect(cp56ToEpoch(c)).toBe(t);
    expect(cp56ToEpoch(cp56FromEpoch(t, { utcOffsetMinutes: 60 }), 60)).toBe(t);
    expect(cp56FromEpoch(t, { utcOffsetMinutes: 60 }).hour).toBe(4);
  });
  it('gives undefined for impossible dates instead of rolling over', () => {
    expect(cp56ToEpoch({ ms: 0, minute: 0, hour: 0, day: 31, dow: 0, month: 2, year: 26, invalid: false, summer: false })).toBeUndefined();
    expect(cp56ToEpoch({ ms: 60000, minute: 0, hour: 0, day: 1, dow: 0, month: 1, year: 26, invalid: false, summer: false })).toBeUndefined();
  });
});

describe('packAsdus', () => {
  it('packs consecutive IOAs with SQ=1 and others as lists, all within 249 octets', () => {
    const objs = [...Array.from({ length: 100 }, (_, i) => ({ ioa: 1000 + i, value: i })), { ioa: 5 }, { ioa: 9 }];
    const asdus = packAsdus(TypeId.M_ME_NC_1, objs, { cot: 20, ca: 1 });
    expect(asdus.map((a) => [a.sq, a.objects.length])).toEqual([
      [false, 2],
      [true, 48],
      [true, 48],
      [true, 4],
    ]);
    for (const a of asdus) expect(encodeAsdu(a).length).toBeLessThanOrEqual(249);
    const back = asdus.flatMap((a) => decodeAsdu(encodeAsdu(a)).objects.map((o) => o.ioa));
    expect(back).toEqual([5, 9, ...Array.from({ length: 100 }, (_, i) => 1000 + i)]);
  });
  it('lists at most 30 floats per SQ=0 ASDU', () => {
    const objs = Array.from({ length: 61 }, (_, i) => ({ ioa: i * 2, value: i }));
    expect(packAsdus(TypeId.M_ME_NC_1, objs, { cot: 20, ca: 1 }).map((a) => a.objects.length)).toEqual([30, 30, 1]);
  });
});

describe('decoder fuzzing', () => {
  const knownTypes = [...ELEMENTS.keys()];
  // Frames that look plausible (right start octet and length, a known type id) reach deep into the decoder.
  const plausible = fc
    .tuple(fc.constantFrom(...knownTypes, 0, 2, 120, 255), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 0, maxLength: 240 }))
    .map(([type, vsq, rest]) => {
      const asdu = Buffer.concat([Buffer.from([type, vsq]), Buffer.from(rest)]);
      return Buffer.concat([Buffer.from([0x68, Math.min(253, asdu.length + 4), 0, 0, 0, 0]), asdu]);
    });
  const anyBytes = fc.uint8Array({ minLength: 0, maxLength: 260 }).map((a) => Buffer.from(a));

  it('only ever throws DecodeError, and re-encodes what it decodes stably (100 000 cases)', () => {
    fc.assert(
      fc.property(fc.oneof(plausible, anyBytes), (frame) => {
        let d;
        try {
          d = decodeFrame(frame);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          return;
        }
        if (d.asdu) {
          const again = decodeAsdu(encodeAsdu(d.asdu));
          expect(again).toEqual(d.asdu);
        }
      }),
      { numRuns: 100_000 },
    );
  });

  it('the bulk decoders (make) give exactly what the generic read gives', () => {
    for (const [typeId, codec] of ELEMENTS) {
      if (!codec.make) continue;
      fc.assert(
        fc.property(fc.uint8Array({ minLength: codec.size, maxLength: codec.size }), fc.integer({ min: 0, max: 0xffffff }), (bytes, ioa) => {
          const b = Buffer.from(bytes);
          const viaRead: InfoObject = { ioa };
          codec.read(b, 0, viaRead);
          expect(codec.make!(b, 0, ioa), `type ${typeId}`).toEqual(viaRead);
        }),
        { numRuns: 2000 },
      );
    }
  });
});
