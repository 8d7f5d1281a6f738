import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecodeError } from '../../src/core/errors.js';
import { decodePoint, encodePoint, type CodecPoint } from '../../src/core/profile/datatypes.js';
import { fixedLength, type DataType } from '../../src/core/profile/types.js';
import { layoutOrders } from '../../src/core/profile/check.js';

interface Vector {
  type: DataType;
  order: 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';
  hex: string;
  value: number | string | boolean | null;
  source: string;
  length?: number;
  bit?: number;
  raw?: string;
  overflow?: boolean;
  notImplemented?: boolean;
  decodeOnly?: boolean;
  label?: string;
  flags?: string[];
  enum?: Record<string, string>;
  bitfield?: Record<string, string>;
  current?: string;
}

const file = join(__dirname, '..', 'vectors', 'modbus', 'datatypes.json');
const vectors = (JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] }).vectors;
const regs = (hex: string): number[] => hex.split(' ').map((h) => parseInt(h, 16));
const hexOf = (r: number[]): string => r.map((x) => x.toString(16).toUpperCase().padStart(4, '0')).join(' ');

function pointFor(v: Vector): CodecPoint {
  const p: CodecPoint = { name: `v_${v.type}`, function: 'holding', type: v.type, length: v.length ?? fixedLength(v.type) ?? 1, ...layoutOrders(v.order) };
  if (v.bit !== undefined) p.bit = v.bit;
  if (v.enum) p.enum = Object.fromEntries(Object.entries(v.enum).map(([k, l]) => [Number(k), l]));
  if (v.bitfield) p.bitfield = Object.fromEntries(Object.entries(v.bitfield).map(([k, l]) => [Number(k), l]));
  return p;
}

describe('datatypes golden vectors (test/vectors/modbus/datatypes.json)', () => {
  it('covers every data type and every order', () => {
    const types = new Set(vectors.map((v) => v.type));
    for (const t of ['u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'f32', 'f64', 'string', 'bit', 'enum', 'bitfield', 'acc16', 'acc32', 'sunssf']) expect(types, t).toContain(t);
    for (const t of ['u32', 'i32', 'f32', 'u64', 'i64', 'f64']) {
      expect(new Set(vectors.filter((v) => v.type === t).map((v) => v.order)), t).toEqual(new Set(['ABCD', 'CDAB', 'BADC', 'DCBA']));
    }
  });

  for (const v of vectors) {
    const name = `${v.type}${v.length ? `(${v.length})` : ''} ${v.order} ${v.hex} — ${v.source}`;
    it(`decodes ${name}`, () => {
      const d = decodePoint(pointFor(v), regs(v.hex));
      expect(d.value).toEqual(v.value);
      expect(d.notImplemented).toBe(v.notImplemented ?? false);
      if (v.raw !== undefined) expect(d.raw).toBe(BigInt(v.raw));
      expect(d.overflow ?? false).toBe(v.overflow ?? false);
      if (v.label) expect(d.label).toBe(v.label);
      if (v.flags) expect(d.flags).toEqual(v.flags);
    });
    if (!v.decodeOnly) {
      it(`encodes ${name}`, () => {
        const value = v.raw !== undefined ? BigInt(v.raw) : v.value!;
        const current = v.current !== undefined ? parseInt(v.current, 16) : undefined;
        expect(hexOf(encodePoint(pointFor(v), value, current))).toBe(v.hex);
      });
    }
  }
});

describe('datatypes edge cases', () => {
  const p = (type: DataType, extra: Partial<CodecPoint> = {}): CodecPoint => ({ name: 'x', function: 'holding', type, length: fixedLength(type) ?? 1, byteOrder: 'BE', wordOrder: 'BE', ...extra });

  it('rejects short or invalid register arrays with a DecodeError at the offset', () => {
    expect(() => decodePoint(p('u32'), [1])).toThrow(DecodeError);
    try {
      decodePoint(p('u32'), [1, 70000]);
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).offset).toBe(1);
    }
  });

  it('refuses values that do not fit, naming the point', () => {
    expect(() => encodePoint(p('u16', { name: 'WMaxLimPct' }), 70000)).toThrow(/WMaxLimPct.*outside 0\.\.65535/);
    expect(() => encodePoint(p('i16'), -32769)).toThrow(RangeError);
    expect(() => encodePoint(p('u16'), 1.5)).toThrow(/not an integer/);
    expect(() => encodePoint(p('u32'), -1)).toThrow(RangeError);
    expect(() => encodePoint(p('f32'), 1e39)).toThrow(/float32 range/);
    expect(() => encodePoint(p('f32'), Number.NaN)).toThrow(/finite/);
    expect(() => encodePoint(p('string', { length: 2 }), 'ABCDE')).toThrow(/longer than 4/);
    expect(() => encodePoint(p('string', { length: 2 }), 'é')).toThrow(/ASCII/);
    expect(() => encodePoint(p('bit', { bit: 2 }), true)).toThrow(/read-modify-write/);
    expect(() => encodePoint(p('u64'), 2 ** 60)).toThrow(/bigint/);
  });

  it('writes enum labels as their code and refuses unknown labels', () => {
    const e = p('enum', { enum: { 0: 'off', 1: 'on' } });
    expect(encodePoint(e, 'on')).toEqual([1]);
    expect(() => encodePoint(e, 'maybe')).toThrow(/off, on/);
  });

  it('decodes coils and discrete inputs from bits', () => {
    expect(decodePoint({ ...p('bit'), function: 'coil' }, [], [true]).value).toBe(true);
    expect(decodePoint({ ...p('bit'), function: 'discrete' }, [], [false]).value).toBe(false);
    expect(encodePoint({ ...p('bit'), function: 'coil' }, false)).toEqual([0]);
  });

  it('honours a point sentinel override and null (no sentinel)', () => {
    expect(decodePoint(p('u16', { notImplemented: null }), [0xffff]).value).toBe(65535);
    expect(decodePoint(p('u16', { notImplemented: 0 }), [0]).notImplemented).toBe(true);
    expect(decodePoint(p('i16', { notImplemented: 0x7fff }), [0x7fff]).notImplemented).toBe(true);
    expect(decodePoint(p('i16', { notImplemented: 0x8000 }), [0x8000]).notImplemented).toBe(true);
    expect(decodePoint(p('i16', { notImplemented: 0x8000 }), [0x8001]).value).toBe(-32767);
    const f = decodePoint(p('f32', { notImplemented: null }), [0x7fc0, 0]);
    expect(f.value).toBeNull();
    expect(f.invalid).toBe('NaN');
  });

  it('round-trips every integer and float through every order (property)', () => {
    const orders = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...orders), fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (o, i, d, b) => {
        const ord = layoutOrders(o);
        const ni = { notImplemented: null };
        expect(decodePoint(p('i32', { ...ord, ...ni }), encodePoint(p('i32', ord), i)).value).toBe(i);
        expect(decodePoint(p('f64', { ...ord, ...ni }), encodePoint(p('f64', ord), d)).value).toBe(d);
        const r = decodePoint(p('i64', { ...ord, ...ni }), encodePoint(p('i64', ord), b));
        expect(BigInt(r.raw as number | bigint)).toBe(b);
      }),
      { numRuns: 300 },
    );
  });
});
