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
