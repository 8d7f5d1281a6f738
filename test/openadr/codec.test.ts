import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serialize } from '../../src/protocols/openadr/oadr20b/build.js';
import { OadrParseError, parse } from '../../src/protocols/openadr/oadr20b/parse.js';
import type { OadrMessage } from '../../src/protocols/openadr/oadr20b/types.js';
import { formatDuration, parseDuration } from '../../src/protocols/openadr/oadr20b/xml.js';

const golden = JSON.parse(readFileSync(join(__dirname, '..', 'vectors', 'openadr', 'oadr20b.json'), 'utf8')) as {
  vectors: Array<{ name: string; source: string; xml: string; decoded: OadrMessage }>;
};

describe('golden 2.0b vectors (both directions)', () => {
  for (const v of golden.vectors) {
    it(v.name, () => {
      expect(v.source).toBeTruthy();
      expect(serialize(v.decoded)).toBe(v.xml);
      expect(parse(v.xml)).toEqual(v.decoded);
    });
  }
});

// A payload in the style other implementations emit: default namespace, prefixes declared on inner elements.
const foreignDistribute = `<?xml version="1.0" encoding="utf-8"?>
<oadrPayload xmlns="http://openadr.org/oadr-2.0b/2012/07">
  <oadrSignedObject>
    <oadrDistributeEvent ei:schemaVersion="2.0b" xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110">
      <requestID xmlns="http://docs.oasis-open.org/ns/energyinterop/201110/payloads">r-77</requestID>
      <ei:vtnID>VTN-X</ei:vtnID>
      <oadrEvent>
        <ei:eiEvent>
          <ei:eventDescriptor>
            <ei:eventID>e-9</ei:eventID>
            <ei:modificationNumber>3</ei:modificationNumber>
            <ei:eiMarketContext><marketContext xmlns="http://docs.oasis-open.org/ns/emix/2011/06">http://mc</marketContext></ei:eiMarketContext>
            <ei:createdDateTime>2026-01-01T10:00:00.123456Z</ei:createdDateTime>
            <ei:eventStatus>active</ei:eventStatus>
          </ei:eventDescriptor>
          <ei:eiActivePeriod>
            <properties xmlns="urn:ietf:params:xml:ns:icalendar-2.0">
              <dtstart><date-time>2026-01-01T10:05:00Z</date-time></dtstart>
              <duration><duration>PT30M</duration></duration>
            </properties>
            <components xmlns="urn:ietf:params:xml:ns:icalendar-2.0"/>
          </ei:eiActivePeriod>
          <ei:eiEventSignals>
            <ei:eiEventSignal>
              <intervals xmlns="urn:ietf:params:xml:ns:icalendar-2.0:stream">
                <ei:interval>
                  <duration xmlns="urn:ietf:params:xml:ns:icalendar-2.0"><duration>PT30M</duration></duration>
                  <uid xmlns="urn:ietf:params:xml:ns:icalendar-2.0"><text>0</text></uid>
                  <ei:signalPayload><ei:payloadFloat><ei:value>3.0</ei:value></ei:payloadFloat></ei:signalPayload>
                </ei:interval>
              </intervals>
              <ei:signalName>simple</ei:signalName>
              <ei:signalType>level</ei:signalType>
              <ei:signalID>s1</ei:signalID>
            </ei:eiEventSignal>
          </ei:eiEventSignals>
          <ei:eiTarget><ei:venID>ven-1</ei:venID><ei:venID>ven-2</ei:venID></ei:eiTarget>
        </ei:eiEvent>
        <oadrResponseRequired>always</oadrResponseRequired>
      </oadrEvent>
    </oadrDistributeEvent>
  </oadrSignedObject>
</oadrPayload>`;

describe('tolerant parsing of other implementations', () => {
  it('parses default-namespace payloads with locally declared prefixes', () => {
    const m = parse(foreignDistribute);
    expect(m.type).toBe('oadrDistributeEvent');
    if (m.type !== 'oadrDistributeEvent') return;
    const e = m.events[0]!;
    expect(e.eventID).toBe('e-9');
    expect(e.modificationNumber).toBe(3);
    expect(e.createdDateTime).toBe(Date.UTC(2026, 0, 1, 10, 0, 0, 123));
    expect(e.durationSec).toBe(1800);
    expect(e.signals[0]!.intervals[0]!.value).toBe(3);
    expect(e.target.venID).toEqual(['ven-1', 'ven-2']);
  });
});

describe('typed errors name the element', () => {
  const bad = (xml: string) => {
    try {
      parse(xml);
    } catch (e) {
      return e as OadrParseError;
    }
    throw new Error('parsed');
  };
  it('invalid XML', () => {
    const e = bad('<oadrPayload><oadrSignedObject>');
    expect(e).toBeInstanceOf(OadrParseError);
    expect(e.message).toMatch(/not well-formed/);
    expect(e.status).toBe(454);
  });
  it('DOCTYPE refused', () => {
    expect(bad('<!DOCTYPE x [<!ENTITY a "b">]><oadrPayload/>').reason).toMatch(/DOCTYPE/);
  });
  it('missing element', () => {
    const e = bad(foreignDistribute.replace('<ei:eventID>e-9</ei:eventID>', ''));
    expect(e.element).toBe('oadrDistributeEvent.oadrEvent[0].eiEvent.eventDescriptor.eventID');
  });
  it('bad date-time', () => {
    const e = bad(foreignDistribute.replace('2026-01-01T10:05:00Z', 'tomorrow'));
    expect(e.element).toMatch(/properties\.dtstart\.date-time$/);
  });
  it('bad enum', () => {
    expect(bad(foreignDistribute.replace('>level<', '>loudness<')).element).toMatch(/eiEventSignal\[0\]\.signalType$/);
  });
  it('unknown payload gives 453', () => {
    const e = bad('<oadrPayload xmlns="http://openadr.org/oadr-2.0b/2012/07"><oadrSignedObject><oadrFoo/></oadrSignedObject></oadrPayload>');
    expect(e.status).toBe(453);
  });
  it('a payload in the 2.0a namespace, or unqualified, is a compliance error (459)', () => {
    const a = bad(foreignDistribute.replaceAll('http://openadr.org/oadr-2.0b/2012/07', 'http://openadr.org/oadr-2.0a/2012/07'));
    expect(a.status).toBe(459);
    expect(a.element).toBe('oadrPayload');
    expect(a.reason).toMatch(/oadr-2\.0a/);
    const inner = bad(foreignDistribute.replace('<oadrDistributeEvent ', '<oadrDistributeEvent xmlns="http://openadr.org/oadr-2.0a/2012/07" '));
    expect(inner.element).toBe('oadrPayload.oadrSignedObject.oadrDistributeEvent');
    const ei = bad(foreignDistribute.replace('xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110"', 'xmlns:ei="http://example.com/ei"'));
    expect(ei.reason).toMatch(/example\.com/);
    expect(bad('<oadrPayload><oadrSignedObject><oadrPoll/></oadrSignedObject></oadrPayload>').reason).toMatch(/no namespace/);
    expect(bad(foreignDistribute.replace('<ei:vtnID>', '<x:vtnID>').replace('</ei:vtnID>', '</x:vtnID>')).reason).toMatch(/undeclared prefix "x"/);
    // Comments and CDATA may hold anything.
    expect(parse(foreignDistribute.replace('<oadrEvent>', '<!-- <oadr:foo xmlns:oadr="urn:x"> --><oadrEvent>')).type).toBe('oadrDistributeEvent');
  });
});

describe('durations', () => {
  it('formats and parses', () => {
    expect(formatDuration(0)).toBe('PT0S');
    expect(formatDuration(3600)).toBe('PT1H');
    expect(formatDuration(86400 + 61)).toBe('P1DT1M1S');
    expect(parseDuration('P1W')).toBe(604800);
    expect(parseDuration('-PT5M')).toBe(-300);
    expect(parseDuration('P')).toBeUndefined();
    expect(parseDuration('PT')).toBeUndefined();
    expect(parseDuration('1H')).toBeUndefined();
  });
  it('round-trips any whole number of seconds', () => {
    fc.assert(fc.property(fc.integer({ min: -1e8, max: 1e8 }), (s) => parseDuration(formatDuration(s)) === s));
  });
});

describe('fuzz: parser never throws anything but OadrParseError', () => {
  const check = (xml: string) => {
    try {
      parse(xml);
    } catch (e) {
      if (!(e instanceof OadrParseError)) throw e;
    }
  };
  it('random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => check(s)), { numRuns: 500 });
  });
  it('mutated golden payloads', () => {
    const xmls = golden.vectors.map((v) => v.xml);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: xmls.length - 1 }), fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 8 }), (i, pos, del, ins) => {
        const x = xmls[i]!;
        const p = pos % x.length;
        check(x.slice(0, p) + ins + x.slice(p + del));
      }),
      { numRuns: 1500 },
    );
  });
  it('element removal yields a typed error or a valid message', () => {
    const xmls = golden.vectors.map((v) => v.xml);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: xmls.length - 1 }), fc.nat(), (i, k) => {
        const x = xmls[i]!;
        const leaves = [...x.matchAll(/<([\w:-]+)>[^<]*<\/\1>/g)];
        if (leaves.length === 0) return;
        const m = leaves[k % leaves.length]!;
        check(x.slice(0, m.index) + x.slice(m.index! + m[0].length));
      }),
      { numRuns: 500 },
    );
  });
});
