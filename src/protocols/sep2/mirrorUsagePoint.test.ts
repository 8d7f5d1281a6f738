import { describe, expect, it } from 'vitest';
import { parseMirrorUsagePoint, serializeMirrorUsagePoint } from './mirrorUsagePoint.js';
import { childNames } from '../../../test/sep2/child-names.js';

describe('MirrorUsagePoint', () => {
  it('writes sep.xsd order (IdentifiedObject, UsagePointBase, deviceLFDI, MirrorMeterReading*, postRate)', () => {
    const v = { postRate: 60, MirrorMeterReading: [{ mRID: '02' }], deviceLFDI: '3E4F45AB31EDFE5B67E343E5E4562E31984E23E5', status: 1, serviceCategoryKind: 0, roleFlags: '49', mRID: '01' };
    const xml = serializeMirrorUsagePoint(v);
    expect(childNames(xml)).toEqual(['mRID', 'roleFlags', 'serviceCategoryKind', 'status', 'deviceLFDI', 'MirrorMeterReading', 'postRate']);
    expect(parseMirrorUsagePoint(xml)).toEqual(v);
  });
  it('deviceLFDI must be at most 20 bytes of hex', () => {
    const xml = serializeMirrorUsagePoint({ mRID: '01', roleFlags: '49', serviceCategoryKind: 0, status: 1, deviceLFDI: 'AB' });
    expect(() => parseMirrorUsagePoint(xml.replace('>AB<', `>${'A'.repeat(42)}<`))).toThrow(/deviceLFDI/);
  });
});
