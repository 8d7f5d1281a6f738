import { describe, expect, it } from 'vitest';
import { parseDERControlList, serializeDERControl, parseDERControl, parseDefaultDERControl } from './derControl.js';
import { Sep2XmlError } from './xml.js';

// Shape from the CSIP-AUS "cactus" client test vectors (MIT), with the v1.3-beta storage namespace.
const CACTUS = `<DERControlList xmlns="urn:ieee:std:2030.5:ns" xmlns:csipaus="https://csipaus.org/ns/v1.3-beta/storage" all="2" href="/derp/0/derc" results="1">
  <DERControl replyTo="/rsp" responseRequired="03">
    <mRID>ABCDEF0123456789</mRID><description>Example DERControl 1</description><creationTime>1605621300</creationTime>
    <EventStatus><currentStatus>0</currentStatus><dateTime>1605621300</dateTime><potentiallySuperseded>false</potentiallySuperseded></EventStatus>
    <interval><duration>86400</duration><start>1605621600</start></interval>
    <DERControlBase>
      <csipaus:opModImpLimW><multiplier>0</multiplier><value>20000</value></csipaus:opModImpLimW>
      <csipaus:opModExpLimW><multiplier>0</multiplier><value>5000</value></csipaus:opModExpLimW>
    </DERControlBase>
  </DERControl>
</DERControlList>`;

describe('DERControl', () => {
  it('parses csipaus extensions whatever the csipaus namespace version', () => {
    const l = parseDERControlList(CACTUS);
    expect(l.all).toBe(2);
    expect(l.DERControl).toHaveLength(1);
    expect(l.DERControl[0]!.DERControlBase).toEqual({ opModImpLimW: { multiplier: 0, value: 20000 }, opModExpLimW: { multiplier: 0, value: 5000 } });
  });
  it('writes csipaus elements last in DERControlBase with the prefix, and parses back', () => {
    const c = parseDERControlList(CACTUS).DERControl[0]!;
    const xml = serializeDERControl({ ...c, DERControlBase: { opModExpLimW: { multiplier: 0, value: 1 }, rampTms: 5, opModConnect: true } });
    expect(xml).toMatch(/<DERControlBase><opModConnect>true<\/opModConnect><rampTms>5<\/rampTms><csipaus:opModExpLimW>/);
    expect(xml).toContain('xmlns:csipaus="https://csipaus.org/ns"');
    expect(parseDERControl(xml).DERControlBase.opModExpLimW).toEqual({ multiplier: 0, value: 1 });
  });
  it('an empty list and an empty DERControlBase are valid', () => {
    expect(parseDERControlList('<DERControlList xmlns="urn:ieee:std:2030.5:ns" all="0" results="0"/>').DERControl).toEqual([]);
    expect(parseDefaultDERControl('<DefaultDERControl><mRID>01</mRID><DERControlBase/></DefaultDERControl>').DERControlBase).toEqual({});
  });
  it('EventStatus without potentiallySuperseded is refused with its path', () => {
    const bad = CACTUS.replace('<potentiallySuperseded>false</potentiallySuperseded>', '');
    expect(() => parseDERControlList(bad)).toThrow(Sep2XmlError);
    expect(() => parseDERControlList(bad)).toThrow(/DERControlList\.DERControl\[0\]\.EventStatus\.potentiallySuperseded/);
  });
  it('randomizeStart outside a OneHourRange Int16 is refused', () => {
    const bad = CACTUS.replace('<DERControlBase>', '<randomizeStart>40000</randomizeStart><DERControlBase>');
    expect(() => parseDERControlList(bad)).toThrow(/randomizeStart/);
  });
});
