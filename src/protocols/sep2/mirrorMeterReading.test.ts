import { describe, expect, it } from 'vitest';
import { parseMirrorMeterReadingList, serializeMirrorMeterReadingList, parseMirrorMeterReading, serializeMirrorMeterReading } from './mirrorMeterReading.js';
import { childNames } from '../../../test/sep2/child-names.js';

describe('MirrorMeterReading(List)', () => {
  it('writes sep.xsd order (IdentifiedObject, lastUpdateTime, MirrorReadingSet*, nextUpdateTime, Reading, ReadingType)', () => {
    const v = {
      ReadingType: { uom: 38, accumulationBehaviour: 12 },
      Reading: { value: 5, timePeriod: { start: 2, duration: 30 } },
      nextUpdateTime: 9,
      MirrorReadingSet: [{ mRID: '02', timePeriod: { start: 1, duration: 30 }, Reading: [{ value: 1 }] }],
      lastUpdateTime: 8,
      description: 'W',
      mRID: '01',
    };
    const xml = serializeMirrorMeterReading(v);
    expect(childNames(xml)).toEqual(['mRID', 'description', 'lastUpdateTime', 'MirrorReadingSet', 'nextUpdateTime', 'Reading', 'ReadingType']);
    expect(xml).toContain('<ReadingType><accumulationBehaviour>12</accumulationBehaviour><uom>38</uom></ReadingType>');
    expect(xml).toContain('<Reading><timePeriod><duration>30</duration><start>2</start></timePeriod><value>5</value></Reading>');
    expect(parseMirrorMeterReading(xml)).toEqual(v);
  });
  it('a list with one or many entries parses to an array; Int48 values are range-checked', () => {
    const one = parseMirrorMeterReadingList('<MirrorMeterReadingList all="1" results="1"><MirrorMeterReading><mRID>01</mRID></MirrorMeterReading></MirrorMeterReadingList>');
    expect(one.MirrorMeterReading).toHaveLength(1);
    expect(parseMirrorMeterReadingList(serializeMirrorMeterReadingList(one))).toEqual(one);
    expect(() => parseMirrorMeterReading('<MirrorMeterReading><mRID>01</mRID><Reading><value>999999999999999</value></Reading></MirrorMeterReading>')).toThrow(/Reading\.value/);
  });
});
