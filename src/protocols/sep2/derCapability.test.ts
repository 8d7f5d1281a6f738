import { describe, expect, it } from 'vitest';
import { parseDERCapability, serializeDERCapability, modesHex } from './derCapability.js';
import { childNames } from '../../../test/sep2/child-names.js';

describe('DERCapability (seed 002 mandatory ratings)', () => {
  it('writes the seed 002 fields in sep.xsd order and round-trips', () => {
    const w = (value: number, multiplier = 0) => ({ multiplier, value });
    const v = { type: 80, rtgMaxWh: w(1350, 1), rtgMaxW: w(5000), rtgMaxDischargeRateW: w(5000), rtgMaxChargeRateW: w(4000), modesSupported: modesHex(['charge', 'discharge', 'opModFixedW', 'opModTargetW']) };
    const xml = serializeDERCapability(v);
    expect(childNames(xml)).toEqual(['modesSupported', 'rtgMaxChargeRateW', 'rtgMaxDischargeRateW', 'rtgMaxW', 'rtgMaxWh', 'type']);
    expect(xml).toContain('<rtgMaxChargeRateW><multiplier>0</multiplier><value>4000</value></rtgMaxChargeRateW>');
    expect(parseDERCapability(xml)).toEqual(v);
  });
  it('modesSupported bits: charge 0, discharge 1, opModFixedW 7, opModTargetW 21', () => {
    expect(modesHex(['charge', 'discharge', 'opModFixedW', 'opModTargetW'])).toBe('00200083');
  });
});

describe('DERCapability from a 2013-schema peer', () => {
  it('reads the EPRI client body (rtgW/rtgWh/rtgA/rtgAh/rtgVA, 2013 namespace) as the 2018 ratings', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const vec = JSON.parse(readFileSync(join(__dirname, '../../../test/vectors/sep2/interop/DERCapability-2013.json'), 'utf8')) as { xml: string; decoded: unknown };
    expect(parseDERCapability(vec.xml)).toEqual(vec.decoded);
    // and writes it back in 2018 names and order
    expect(childNames(serializeDERCapability(parseDERCapability(vec.xml)))).toContain('rtgMaxW');
  });
  it('a 2018 element wins over its 2013 name; rtgMaxW still mandatory when neither is present', () => {
    const ns = 'urn:ieee:std:2030.5:ns';
    const both = `<DERCapability xmlns="${ns}"><modesSupported>01</modesSupported><rtgMaxW><multiplier>0</multiplier><value>5000</value></rtgMaxW><rtgW><multiplier>0</multiplier><value>1</value></rtgW><type>4</type></DERCapability>`;
    expect(parseDERCapability(both).rtgMaxW).toEqual({ multiplier: 0, value: 5000 });
    expect(() => parseDERCapability(`<DERCapability xmlns="${ns}"><modesSupported>01</modesSupported><type>4</type></DERCapability>`)).toThrow(/DERCapability\.rtgMaxW/);
  });
});
