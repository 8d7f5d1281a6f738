import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/core/profile/schema.js';
import { profileJsonSchema } from '../../src/core/profile/json-schema.js';

type Raw = Record<string, unknown> & { points: Array<Record<string, unknown>> };

function base(): Raw {
  return {
    id: 'test-dev',
    kind: 'inverter',
    metadata: { maker: 'ACME', model: 'X1', source: 'unit test' },
    points: [
      { name: 'W', address: 0, type: 'i16', sf: 'W_SF', unit: 'W' },
      { name: 'W_SF', address: 1, type: 'sunssf' },
      { name: 'WMaxLimPct', address: 10, type: 'u16', access: 'rw', min: 0, max: 100, unit: '%' },
      { name: 'St', address: 11, type: 'enum', enum: { 1: 'OFF', 4: 'MPPT' } },
    ],
  };
}

function issuesOf(mutate: (r: Raw) => void): Array<{ path: string; message: string }> {
  const r = base();
  mutate(r);
  return parseProfile(r).issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

const P = (i: number, r: Raw): Record<string, unknown> => r.points[i]!;

describe('parseProfile normalization', () => {
  it('accepts the base profile and resolves every default', () => {
    const { profile, issues } = parseProfile(base());
    expect(issues).toEqual([]);
    expect(profile!.defaults).toEqual({ function: 'holding', byteOrder: 'BE', wordOrder: 'BE', poll: 'normal' });
    expect(profile!.limits).toEqual({ maxReadRegisters: 125, maxReadBits: 2000, maxWriteRegisters: 123, maxGap: 20 });
    expect(profile!.pollClasses).toEqual({ fast: 1000, normal: 10000, slow: 60000 });
    expect(profile!.points[0]).toMatchObject({ name: 'W', function: 'holding', type: 'i16', length: 1, scale: 1, offset: 0, access: 'r', poll: 'normal', sf: 'W_SF', unit: 'W' });
    expect(profile!.points[3]!.enum).toEqual({ 1: 'OFF', 4: 'MPPT' });
  });

  it('reads function codes, string(n), layouts, aliases and sentinel defaults', () => {
    const r = base();
    r.defaults = { function: 4, layout: 'CDAB', notImplemented: 'none' };
    r.points.push({ name: 'x_SN', address: 20, type: 'string(10)' }, { name: 'x_Fw', address: 30, type: 'string', length: 4 }, { name: 'x_Big', address: 40, type: 'float32', layout: 'DCBA' });
    r.points.push({ name: 'x_Relay', address: 3, function: 1, type: 'bit', access: 'rw' }, { name: 'x_Flag', address: 50, type: 'bit', bit: 15 });
    r.points.splice(2, 1); // WMaxLimPct is writable: input registers are read-only
    const { profile, issues } = parseProfile(r);
    expect(issues).toEqual([]);
    const by = Object.fromEntries(profile!.points.map((p) => [p.name, p]));
    expect(by.W).toMatchObject({ function: 'input', byteOrder: 'BE', wordOrder: 'LE', notImplemented: null });
    expect(by.x_SN).toMatchObject({ type: 'string', length: 10 });
    expect(by.x_Fw).toMatchObject({ type: 'string', length: 4 });
    expect(by.x_Big).toMatchObject({ type: 'f32', length: 2, byteOrder: 'LE', wordOrder: 'LE' });
    expect(by.x_Relay).toMatchObject({ function: 'coil', type: 'bit', length: 1 });
    expect(by.x_Flag).toMatchObject({ bit: 15 });
  });

  it('fills the canonical unit when the profile gives none', () => {
    const { profile } = parseProfile({ ...base(), points: [{ name: 'Hz', address: 0, type: 'u16', scale: 0.01 }] });
    expect(profile!.points[0]!.unit).toBe('Hz');
  });

  it('never throws on garbage', () => {
    for (const g of [null, 42, 'x', [], {}, { points: 'no' }]) expect(parseProfile(g).issues.length).toBeGreaterThan(0);
  });

  it('exports a JSON Schema for editors', () => {
    const s = profileJsonSchema();
    expect(s.$id).toMatch(/profile\.schema\.json/);
    expect(JSON.stringify(s)).toContain('maxReadRegisters');
    expect((s as { additionalProperties?: unknown }).additionalProperties).toBe(false);
  });
});

// Each row: a mutation, the exact raw path of the expected issue, and a message pattern. Removing the check makes the
// row fail (the base profile has no issues, asserted above).
const rejections: Array<[string, (r: Raw) => void, string, RegExp]> = [
  ['unknown top-level key (typo)', (r) => void (r.pointz = []), '', /unknown key "pointz"/],
  ['unknown point key (typo)', (r) => void (P(0, r).adress = 3), 'points.0', /unknown key "adress"/],
  ['bad function code', (r) => void (P(0, r).function = 5), 'points.0.function', /./],
  ['address beyond 65535', (r) => void (P(0, r).address = 70000), 'points.0.address', /./],
  ['unknown kind', (r) => void (r.kind = 'toaster'), 'kind', /./],
  ['non-canonical name with suggestion', (r) => void (P(0, r).name = 'Watts'), 'points.0.name', /not a canonical point name for kind inverter.*x_Watts/],
  ['misspelt canonical name suggests the right one', (r) => void (P(3, r).name = 'st'), 'points.3.name', /did you mean "St"/],
  ['duplicate names', (r) => r.points.push({ name: 'W', address: 50, type: 'u16' }), 'points.4.name', /duplicate point name "W" \(first at points\[0\]\)/],
  ['incompatible unit', (r) => void (P(0, r).unit = 'V'), 'points.0.unit', /cannot be converted to W/],
  ['unknown unit on a unit-less canonical point', (r) => void (P(3, r).unit = 'furlong'), 'points.3.unit', /unknown unit/],
  ['sf naming a missing point', (r) => void (P(0, r).sf = 'W_Sf'), 'points.0.sf', /does not exist \(did you mean "W_SF"/],
  ['sf naming a non-sunssf point', (r) => void (P(0, r).sf = 'WMaxLimPct'), 'points.0.sf', /must be sunssf/],
  ['overlapping registers', (r) => r.points.push({ name: 'x_Over', address: 9, type: 'u32' }), 'points.4.address', /overlaps WMaxLimPct/],
  ['same bit twice', (r) => r.points.push({ name: 'x_A', address: 60, type: 'bit', bit: 1 }, { name: 'x_B', address: 60, type: 'bit', bit: 1 }), 'points.5.bit', /already used by x_A/],
  ['unknown type with suggestion', (r) => void (P(0, r).type = 'i61'), 'points.0.type', /unknown type "i61" \(did you mean .*"i16"/],
  ['non-bit type on a coil', (r) => r.points.push({ name: 'x_C', address: 0, function: 'coil', type: 'u16' }), 'points.4.type', /use type bit/],
  ['string(n) contradicted by length', (r) => r.points.push({ name: 'x_S', address: 60, type: 'string(4)', length: 5 }), 'points.4.length', /contradicts/],
  ['fixed-size type with wrong length', (r) => void (P(0, r).length = 2), 'points.0.length', /occupies 1 register/],
  ['string without a length', (r) => r.points.push({ name: 'x_S', address: 60, type: 'string' }), 'points.4.type', /needs its length/],
  ['enum of 3 registers', (r) => void (P(3, r).length = 3), 'points.3.length', /1 or 2 registers/],
  ['point longer than maxReadRegisters', (r) => { r.limits = { maxReadRegisters: 8 }; r.points.push({ name: 'x_S', address: 60, type: 'string', length: 10 }); }, 'points.4.length', /more than limits.maxReadRegisters \(8\)/],
  ['address + length past 65535', (r) => r.points.push({ name: 'x_L', address: 65535, type: 'u32' }), 'points.4.address', /runs past 65535/],
  ['bit in a register without bit number', (r) => r.points.push({ name: 'x_F', address: 60, type: 'bit' }), 'points.4.bit', /needs bit/],
  ['bit number on a non-bit type', (r) => void (P(0, r).bit = 3), 'points.0.bit', /applies only to type bit/],
  ['layout and byteOrder together', (r) => Object.assign(P(0, r), { layout: 'CDAB', byteOrder: 'LE' }), 'points.0.layout', /either layout or byteOrder/],
  ['defaults layout and wordOrder together', (r) => void (r.defaults = { layout: 'CDAB', wordOrder: 'LE' }), 'defaults.layout', /either layout/],
  ['writable input register', (r) => Object.assign(P(2, r), { function: 'input' }), 'points.2.access', /read-only/],
  ['writable point longer than maxWriteRegisters', (r) => { r.limits = { maxWriteRegisters: 1 }; r.points.push({ name: 'WSet', address: 60, type: 'i32', access: 'rw' }); }, 'points.4.access', /maxWriteRegisters \(1\)/],
  ['writable scale factor', (r) => void (P(1, r).access = 'rw'), 'points.1.access', /read-only/],
  ['scale 0', (r) => void (P(2, r).scale = 0), 'points.2.scale', /must not be 0/],
  ['scale on an enum', (r) => void (P(3, r).scale = 10), 'points.3.scale', /does not apply to type enum/],
  ['min greater than max', (r) => Object.assign(P(2, r), { min: 100, max: 0 }), 'points.2.min', /min 100 is greater than max 0/],
  ['min on an enum', (r) => void (P(3, r).min = 1), 'points.3.min', /do not apply/],
  ['unknown poll class with suggestion', (r) => void (P(0, r).poll = 'fats'), 'points.0.poll', /unknown poll class "fats" \(did you mean "fast"/],
  ['unknown default poll class', (r) => void (r.defaults = { poll: 'often' }), 'defaults.poll', /unknown poll class "often"/],
  ['enum without labels', (r) => void delete P(3, r).enum, 'points.3.enum', /needs a map/],
  ['enum labels on a number', (r) => void (P(0, r).enum = { 1: 'a' }), 'points.0.enum', /need type enum/],
  ['bitfield without names', (r) => r.points.push({ name: 'Evt1', address: 60, type: 'bitfield32' }), 'points.4.bitfield', /needs a map/],
  ['bitfield names on a number', (r) => void (P(2, r).bitfield = { 0: 'a' }), 'points.2.bitfield', /need type bitfield/],
  ['bitfield bit outside the field', (r) => r.points.push({ name: 'Evt1', address: 60, type: 'bitfield', bitfield: { 16: 'x' } }), 'points.4.bitfield.16', /outside the 16-bit field/],
  ['non-integer sentinel for an integer type', (r) => void (P(0, r).notImplemented = 1.5), 'points.0.notImplemented', /must be an integer/],
  ['point inside a declared hole', (r) => void (r.holes = [{ function: 'holding', start: 10, count: 1 }]), 'points.2.address', /lies in a declared hole/],
  ['hole past 65535', (r) => void (r.holes = [{ function: 3, start: 65530, count: 10 }]), 'holes.0.count', /runs past address 65535/],
];

describe('parseProfile rejections (path into the raw document)', () => {
  for (const [what, mutate, path, msg] of rejections) {
    it(what, () => {
      const issues = issuesOf(mutate);
      const hit = issues.find((i) => i.path === path);
      expect(hit, `issues: ${JSON.stringify(issues)}`).toBeDefined();
      expect(hit!.message).toMatch(msg);
    });
  }
});
