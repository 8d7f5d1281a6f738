import { describe, expect, it } from 'vitest';
import { parseDERStatus, serializeDERStatus } from './derStatus.js';
import { childNames } from '../../../test/sep2/child-names.js';

describe('DERStatus (seed 002: timestamp + stateOfChargeStatus, once a minute)', () => {
  it('writes sep.xsd order and round-trips', () => {
    const v = {
      storConnectStatus: { dateTime: 3, value: '01' },
      stateOfChargeStatus: { dateTime: 2, value: 5520 },
      readingTime: 2,
      genConnectStatus: { dateTime: 1, value: '07' },
      alarmStatus: '00000000',
    };
    const xml = serializeDERStatus(v);
    // Order typed from sep.xsd (2018) DERStatus, independent of the schema object.
    expect(childNames(xml)).toEqual(['alarmStatus', 'genConnectStatus', 'readingTime', 'stateOfChargeStatus', 'storConnectStatus']);
    expect(parseDERStatus(xml)).toEqual(v);
  });
  it('readingTime is mandatory; SoC is PerCent (0..65535 hundredths)', () => {
    expect(() => parseDERStatus('<DERStatus/>')).toThrow(/DERStatus\.readingTime/);
    expect(() => parseDERStatus('<DERStatus><readingTime>1</readingTime><stateOfChargeStatus><dateTime>1</dateTime><value>-1</value></stateOfChargeStatus></DERStatus>')).toThrow(/stateOfChargeStatus\.value/);
  });
});

describe('DERStatus serialization guards', () => {
  it('refuses to write an out-of-range or fractional value, naming the element', () => {
    expect(() => serializeDERStatus({ readingTime: 1, stateOfChargeStatus: { dateTime: 1, value: 55.2 } })).toThrow(/DERStatus\.stateOfChargeStatus\.value/);
    expect(() => serializeDERStatus({ readingTime: 1, inverterStatus: { dateTime: 1, value: 300 } })).toThrow(/above 255/);
  });
});
