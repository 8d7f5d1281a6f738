/** Golden round trips for every resource (test/vectors/sep2/*.json) and element-order checks. */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESOURCES } from './resources.js';
import { Sep2XmlError } from './xml.js';
import type { DERControlList } from './derControl.js';

const dir = join(__dirname, '..', '..', '..', 'test', 'vectors', 'sep2');
const vectors = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { resource: string; source: string; xml: string; decoded: unknown });

function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)]));
  return v;
}
function elementNames(xml: string): string[] {
  return [...xml.matchAll(/<([A-Za-z:]+)[\s/>]/g)].map((m) => m[1]!);
}

describe('golden vectors', () => {
  it('covers every resource we send', () => {
    const names = new Set(vectors.map((v) => v.resource));
    for (const n of ['MirrorUsagePoint', 'MirrorMeterReadingList', 'DERStatus', 'DERCapability', 'DERSettings', 'DERAvailability', 'DERControlResponse'])
      expect(names.has(n), n).toBe(true);
  });
  for (const v of vectors) {
    describe(v.resource, () => {
      const r = RESOURCES[v.resource]!;
      it('names its source', () => expect(v.source.length).toBeGreaterThan(5));
      it('parses to the decoded value', () => expect(r.parse(v.xml)).toEqual(v.decoded));
      it('serializes back byte for byte', () => expect(r.serialize(r.parse(v.xml))).toBe(v.xml));
      it('writes schema element order whatever the key order of the object', () => {
        const out = r.serialize(reverseKeys(v.decoded));
        expect(elementNames(out)).toEqual(elementNames(v.xml));
      });
      it('parses the pre-2018 namespace and pretty-printed XML alike', () => {
        const legacy = v.xml.replace('urn:ieee:std:2030.5:ns', 'http://ieee.org/2030.5').replace(/></g, '>\n  <');
        expect(r.parse(legacy)).toEqual(v.decoded);
      });
    });
  }
});

describe('serializer options', () => {
  it('legacy drops csipaus and 2018-only elements and uses the old namespace', () => {
    const v = vectors.find((x) => x.resource === 'DERControlList')!;
    const r = RESOURCES.DERControlList!;
    const out = r.serialize(r.parse(v.xml), { legacy: true });
    expect(out).toContain('xmlns="http://ieee.org/2030.5"');
    expect(out).not.toContain('csipaus');
    const ed = vectors.find((x) => x.resource === 'EndDeviceList')!;
    const edOut = RESOURCES.EndDeviceList!.serialize(RESOURCES.EndDeviceList!.parse(ed.xml), { legacy: true });
    expect(edOut).not.toContain('postRate');
    expect(edOut).not.toContain('deviceCategory');
  });
  it('escapes text and attributes', () => {
    const r = RESOURCES.DefaultDERControl!;
    const out = r.serialize({ href: '/a?x=1&y="2"', mRID: 'AB', description: '<&>', DERControlBase: {} });
    expect(out).toContain('href="/a?x=1&amp;y=&quot;2&quot;"');
    expect(out).toContain('<description>&lt;&amp;&gt;</description>');
    expect(r.parse(out)).toMatchObject({ href: '/a?x=1&y="2"', description: '<&>' });
  });
});

describe('parse errors name the element', () => {
  const dcl = vectors.find((x) => x.resource === 'DERControlList')!.xml;
  const r = RESOURCES.DERControlList!;
  function err(xml: string): Sep2XmlError {
    try {
      r.parse(xml);
    } catch (e) {
      if (e instanceof Sep2XmlError) return e;
      throw e;
    }
    throw new Error('no error');
  }
  it('out of range value', () => {
    const e = err(dcl.replace('<opModFixedW>-5000</opModFixedW>', '<opModFixedW>40000</opModFixedW>'));
    expect(e.path).toBe('DERControlList.DERControl[0].DERControlBase.opModFixedW');
    expect(e.message).toMatch(/above 32767/);
  });
  it('missing mandatory field', () => {
    const e = err(dcl.replace(/<creationTime>\d+<\/creationTime>/, ''));
    expect(e.path).toBe('DERControlList.DERControl[0].creationTime');
  });
  it('not a number', () => {
    expect(err(dcl.replace('<duration>86400</duration>', '<duration>1e5</duration>')).path).toBe('DERControlList.DERControl[0].interval.duration');
  });
  it('wrong root element', () => {
    expect(err(vectors.find((x) => x.resource === 'Time')!.xml).message).toMatch(/expected <DERControlList>, found <Time>/);
  });
  it('DOCTYPE is rejected before parsing', () => {
    const e = err('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><DERControlList all="0" results="0">&a;</DERControlList>');
    expect(e.message).toMatch(/DOCTYPE/);
    expect(e.offset).toBe(21);
  });
  it('malformed XML gives an offset', () => {
    const e = err('<DERControlList all="0" results="0">\n<DERControl></DERControlList>');
    expect(e.message).toMatch(/malformed/);
    expect(e.offset).toBeGreaterThan(0);
  });
  it('unknown elements are ignored (tolerant reader)', () => {
    const v = r.parse(dcl.replace('<rampTms>', '<vendorThing><x>1</x></vendorThing><rampTms>')) as DERControlList;
    expect(v.DERControl[0]!.DERControlBase.rampTms).toBe(100);
  });
});
