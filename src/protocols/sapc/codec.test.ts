import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc16arc, crcHex } from './crc.js';
import { decodeText, encodeFrame, FieldError, parseRaw, decodeFrame, wrapBody, checkCommandWindow, type SapcFrame, type SapcCommand } from './frame.js';
import { SspFramer } from './framer.js';
import { decodeApcValue, encodeApcValue } from './apc.js';
import { DecodeError } from '../../core/errors.js';

const vectors = JSON.parse(readFileSync(join(__dirname, '../../../test/vectors/sapc/frames.json'), 'utf8')) as {
  crcCheck: { input: string; crc: string };
  frames: Array<{ name: string; text: string; hex: string; crc: string; decoded: SapcFrame }>;
};
const apc = JSON.parse(readFileSync(join(__dirname, '../../../test/vectors/sapc/apc.json'), 'utf8')) as {
  values: Array<{ hex: string; decoded: { direction: 'import' | 'export'; controller: number; level: number } }>;
  invalid: Array<{ hex: string }>;
};

describe('CRC-16/ARC', () => {
  it('golden check value "123456789" = 0xBB3D', () => {
    expect(crc16arc(vectors.crcCheck.input)).toBe(0xbb3d);
    expect(crcHex(crc16arc('123456789'))).toBe(vectors.crcCheck.crc);
  });
  it('empty input is 0', () => expect(crc16arc('')).toBe(0));
});

describe('SSP-1 golden frames (both directions)', () => {
  for (const v of vectors.frames) {
    it(`decodes: ${v.name}`, () => {
      expect(Buffer.from(v.hex, 'hex').toString('latin1')).toBe(v.text);
      expect(decodeText(v.text)).toEqual(v.decoded);
      expect(parseRaw(v.text.trimEnd()).crc).toBe(parseInt(v.crc, 16));
    });
    it(`encodes: ${v.name}`, () => expect(encodeFrame(v.decoded)).toBe(v.text));
  }
});

describe('GBCS APC value', () => {
  for (const v of apc.values) {
    it(`0x${v.hex}`, () => {
      expect(decodeApcValue(parseInt(v.hex, 16))).toEqual(v.decoded);
      expect(encodeApcValue(v.decoded)).toBe(parseInt(v.hex, 16));
    });
  }
  for (const v of apc.invalid) it(`rejects 0x${v.hex}`, () => expect(() => decodeApcValue(parseInt(v.hex, 16))).toThrow(RangeError));
  it('rejects level 101 on encode', () => expect(() => encodeApcValue({ direction: 'import', controller: 1, level: 101 })).toThrow(/level/));
});

describe('field errors give the NAK reason and place', () => {
  const base = '1,CMD,5,slot=1,dir=IMP,lvl=50,src=LC,to=20260101T020000Z,evt=E1,ts=20260101T000000Z';
  const nak = (body: string): FieldError => {
    try {
      decodeText(wrapBody(body));
    } catch (e) {
      expect(e).toBeInstanceOf(FieldError);
      return e as FieldError;
    }
    throw new Error('expected FieldError');
  };
  it('level out of range', () => {
    const e = nak(base.replace('lvl=50', 'lvl=150'));
    expect([e.nak, e.field, e.seq]).toEqual(['LEVEL_RANGE', 'lvl', 5]);
    expect(e.offset).toBe(base.indexOf('lvl=') + 1 + 4);
  });
  it('unknown source', () => expect(nak(base.replace('src=LC', 'src=XYZ')).nak).toBe('UNKNOWN_SOURCE'));
  it('missing field', () => expect([nak(base.replace(',evt=E1', '')).nak, nak(base.replace(',evt=E1', '')).field]).toEqual(['MISSING_FIELD', 'evt']));
  it('repeated key', () => expect(nak(base + ',lvl=50').nak).toBe('BAD_FIELD'));
  it('bad time', () => expect(nak(base.replace('to=20260101T020000Z', 'to=20261301T020000Z')).field).toBe('to'));
  it('impossible dates are refused, leap days accepted', () => {
    expect(nak(base.replace('to=20260101T020000Z', 'to=20260230T020000Z')).field).toBe('to');
    expect(nak(base.replace('to=20260101T020000Z', 'to=20260101T240000Z')).field).toBe('to');
    expect(decodeText(wrapBody(base.replace('to=20260101T020000Z', 'to=20280229T020000Z'))).type).toBe('CMD');
  });
  it('random delay > 1800', () => expect(nak(base + ',rnd=1801').nak).toBe('RANDOM_RANGE'));
  it('text > 64', () => expect(nak(base + ',txt=' + 'x'.repeat(65)).nak).toBe('TEXT_TOO_LONG'));
  it('unknown type', () => expect(nak('1,FOO,3').nak).toBe('UNKNOWN_TYPE'));
  it('version', () => expect(nak('2,CMD,3').nak).toBe('VERSION'));
  it('unreadable seq gives undefined seq', () => expect(nak('1,ACK,x').seq).toBeUndefined());
  it('unknown keys are ignored (forward compatible)', () => expect(decodeText(wrapBody(base + ',zz=1')).type).toBe('CMD'));
  it('lower-case CRC accepted on receive', () => {
    const t = wrapBody('1,ACK,1').trimEnd();
    expect(decodeFrame(parseRaw(t.slice(0, -4) + t.slice(-4).toLowerCase())).type).toBe('ACK');
  });
});

describe('window checks at the receiver', () => {
  const now = Date.UTC(2026, 0, 1, 1);
  const cmd = (from: number | undefined, to: number): SapcCommand => ({ slot: 1, direction: 'import', level: 10, source: 'supplier', validTo: to, randomDelayS: 0, randomised: false, eventId: 'e', timestamp: now, ...(from !== undefined ? { validFrom: from } : {}) });
  it("accepts 48 h exactly (version 1.1)", () => expect(checkCommandWindow(cmd(now, now + 48 * 3600_000), now)).toBeUndefined());
  it("rejects 48 h + 1 s", () => expect(checkCommandWindow(cmd(now, now + 48 * 3600_000 + 1000), now)?.reason).toBe("WINDOW_TOO_LONG"));
  it('rejects a window that has ended', () => expect(checkCommandWindow(cmd(now - 7200_000, now), now)?.reason).toBe('WINDOW_PAST'));
  it('rejects to before from', () => expect(checkCommandWindow(cmd(now + 7200_000, now + 3600_000), now)?.reason).toBe('WINDOW_ORDER'));
});

const good = vectors.frames.map((v) => v.text);
describe('framer', () => {
  it('finds frames among junk and split chunks', () => {
    const f = new SspFramer();
    const stream = 'noise\x00\xff' + good[0] + 'zz' + good[2] + '\r\n' + good[4];
    const bytes = Buffer.from(stream, 'latin1');
    const events = [];
    for (let i = 0; i < bytes.length; i += 7) events.push(...f.push(bytes.subarray(i, i + 7)));
    expect(events.filter((e) => e.kind === 'frame')).toHaveLength(3);
    expect(f.stats.junkBytes).toBe(7 + 2 + 2);
  });
  it('drops and counts bad CRC', () => {
    const f = new SspFramer();
    const bad = good[2]!.replace('applied', 'applieD');
    const ev = f.push(bad + good[2]!);
    expect(ev.map((e) => e.kind)).toEqual(['error', 'frame']);
    expect(f.stats.badCrc).toBe(1);
  });
  it('counts a frame cut short by a new $', () => {
    const f = new SspFramer();
    f.push(good[0]!.slice(0, 30) + good[2]!);
    expect(f.stats).toMatchObject({ truncated: 1, frames: 1 });
  });
  it('drops overlong runs and resyncs at the next $', () => {
    const f = new SspFramer();
    const ev = f.push('$1,ACK,1,' + 'x'.repeat(300) + '\r\n' + good[2]!);
    expect(f.stats).toMatchObject({ overlong: 1, frames: 1 });
    expect(ev.at(-1)?.kind).toBe('frame');
  });
  it('accepts a bare LF line end', () => {
    const f = new SspFramer();
    expect(f.push(good[2]!.replace('\r\n', '\n'))[0]?.kind).toBe('frame');
  });
});

describe('fuzz (fast-check)', () => {
  it('never throws, and every byte is a frame or counted', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...good.map((g) => Buffer.from(g, 'latin1')))), { maxLength: 20 }), (chunks) => {
        const f = new SspFramer();
        for (const c of chunks) {
          for (const e of f.push(c)) {
            if (e.kind === 'frame') {
              try {
                decodeFrame(e.frame);
              } catch (err) {
                expect(err).toBeInstanceOf(DecodeError);
              }
            } else expect(e.error).toBeInstanceOf(DecodeError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
  it('a good frame after any junk without $ is always found', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }).map((a) => a.filter((b) => b !== 0x24)), fc.constantFrom(...good), (junk, frame) => {
        const f = new SspFramer();
        f.push(junk);
        const ev = f.push(frame);
        expect(ev.filter((e) => e.kind === 'frame')).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });
  it('single-byte corruption of a good frame is never accepted as a different valid frame silently', () => {
    fc.assert(
      fc.property(fc.constantFrom(...good), fc.nat(), fc.integer({ min: 1, max: 255 }), (frame, pos, x) => {
        const b = Buffer.from(frame, 'latin1');
        const i = 1 + (pos % (b.length - 3));
        b[i] = b[i]! ^ x;
        const ev = new SspFramer().push(b);
        // The checksum's hex digits are case-insensitive (docs/sapc-ssp1.md §4.1 item 3 "Receivers SHOULD accept lower-case hex"): `*c096` is the same frame as `*C096`.
        const canon = (t: string) => t.replace(/\*([0-9a-f]{4})$/i, (_m, h: string) => `*${h.toUpperCase()}`);
        for (const e of ev) if (e.kind === 'frame') expect(canon(e.frame.text)).toBe(canon(frame.trimEnd()));
      }),
      { numRuns: 500 },
    );
  });
  it('any chunking of a stream gives the same frames and counters as one push', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...good), fc.string({ maxLength: 40 }), fc.constant('$1,ACK,1,' + 'z'.repeat(250))), { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), (pieces, cuts) => {
        const stream = Buffer.from(pieces.join(''), 'latin1');
        const whole = new SspFramer();
        const a = whole.push(stream).map((e) => (e.kind === 'frame' ? e.frame.text : e.counter));
        const split = new SspFramer();
        const b: string[] = [];
        for (let off = 0, k = 0; off < stream.length; k++) {
          const len = cuts[k % cuts.length]!;
          b.push(...split.push(stream.subarray(off, off + len)).map((e) => (e.kind === 'frame' ? e.frame.text : e.counter)));
          off += len;
        }
        expect(b).toEqual(a);
        expect(split.stats).toEqual(whole.stats);
      }),
      { numRuns: 300 },
    );
  });
  it('encode/decode round trip for random commands', () => {
    const cmd = fc.record({
      slot: fc.integer({ min: 1, max: 15 }),
      direction: fc.constantFrom('import' as const, 'export' as const),
      level: fc.integer({ min: 0, max: 100 }),
      source: fc.constantFrom('load_controller' as const, 'supplier' as const, 'owner' as const, 'aggregator' as const),
      validTo: fc.integer({ min: 1_700_000_000, max: 2_000_000_000 }).map((s) => s * 1000),
      randomDelayS: fc.integer({ min: 0, max: 1800 }),
      randomised: fc.boolean(),
      eventId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,32}$/),
      timestamp: fc.integer({ min: 1_700_000_000, max: 2_000_000_000 }).map((s) => s * 1000),
      text: fc.string({ maxLength: 20 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    });
    fc.assert(
      fc.property(cmd, fc.integer({ min: 0, max: 65535 }), (command, seq) => {
        const f: SapcFrame = { type: 'CMD', seq, command };
        expect(decodeText(encodeFrame(f))).toEqual(f);
      }),
      { numRuns: 300 },
    );
  });
});
