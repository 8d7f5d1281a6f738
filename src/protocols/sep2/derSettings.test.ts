import { describe, expect, it } from 'vitest';
import { parseDERSettings, serializeDERSettings } from './derSettings.js';
import { childNames } from '../../../test/sep2/child-names.js';

describe('DERSettings (seed 002 mandatory settings)', () => {
  it('writes sep.xsd order (setGradW before setMax*, updatedTime last) and round-trips', () => {
    const w = (value: number, multiplier = 0) => ({ multiplier, value });
    const v = { updatedTime: 1767225600, setMaxWh: w(1350, 1), setMaxW: w(5000), setMaxDischargeRateW: w(5000), setMaxChargeRateW: w(4000), setGradW: 0 };
    const xml = serializeDERSettings(v);
    expect(childNames(xml)).toEqual(['setGradW', 'setMaxChargeRateW', 'setMaxDischargeRateW', 'setMaxW', 'setMaxWh', 'updatedTime']);
    expect(parseDERSettings(xml)).toEqual(v);
  });
  it('setMaxW and updatedTime are mandatory', () => {
    expect(() => parseDERSettings('<DERSettings><setGradW>0</setGradW><updatedTime>1</updatedTime></DERSettings>')).toThrow(/DERSettings\.setMaxW/);
  });
});
