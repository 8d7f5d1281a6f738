/** fast-check on the XML parser: hostile input, huge numbers, missing fields. Only typed errors, never a crash. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESOURCES } from './resources.js';
import { Sep2XmlError } from './xml.js';

const dir = join(__dirname, '..', '..', '..', 'test', 'vectors', 'sep2');
const vectors = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { resource: string; xml: string });

function outcome(resource: string, xml: string): 'ok' | Sep2XmlError {
  try {
    RESOURCES[resource]!.parse(xml);
    return 'ok';
  } catch (e) {
    if (e instanceof Sep2XmlError) return e;
    throw e;
  }
}

const vec = fc.constantFrom(...vectors);

describe('XML parser under fast-check', () => {
  it('arbitrary text gives a value or a Sep2XmlError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => void outcome('DERControlList', s)), { numRuns: 300 });
  });
  it('mutated samples (insertions, truncation) never crash', () => {
    fc.assert(
      fc.property(vec, fc.nat(), fc.string({ maxLength: 12 }), fc.boolean(), (v, at, ins, truncate) => {
        const i = at % v.xml.length;
        const xml = truncate ? v.xml.slice(0, i) : v.xml.slice(0, i) + ins + v.xml.slice(i);
        void outcome(v.resource, xml);
      }),
      { numRuns: 400 },
    );
  });
  it('huge or odd numbers are range-checked with the element path', () => {
    const numeric = /<([A-Za-z]+)>(-?\d+)<\/\1>/g;
    fc.assert(
      fc.property(vec, fc.nat(), fc.oneof(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String), fc.constantFrom('1.5', '0x10', 'NaN', '', ' 7 ', '+3', '１')), (v, k, num) => {
        const hits = [...v.xml.matchAll(numeric)];
        if (hits.length === 0) return;
        const h = hits[k % hits.length]!;
        const xml = v.xml.slice(0, h.index) + `<${h[1]}>${num}</${h[1]}>` + v.xml.slice(h.index + h[0].length);
        const r = outcome(v.resource, xml);
        if (r !== 'ok') expect(r.path === '' || r.path.startsWith(v.resource)).toBe(true);
        if (r !== 'ok' && r.path) expect(r.path.split('.').pop()!.replace(/\[\d+\]$/, '')).toMatch(/^[A-Za-z]+$/);
      }),
      { numRuns: 400 },
    );
  });
  it('removing any element gives a value or an error naming the missing element', () => {
    fc.assert(
      fc.property(vec, fc.nat(), (v, k) => {
        const els = [...v.xml.matchAll(/<([A-Za-z]+)>[^<]*<\/\1>/g)];
        if (els.length === 0) return;
        const h = els[k % els.length]!;
        const xml = v.xml.slice(0, h.index) + v.xml.slice(h.index + h[0].length);
        const r = outcome(v.resource, xml);
        if (r !== 'ok') expect(r.path.endsWith(h[1]!)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
  it('an entity expansion bomb or deep nesting is refused quickly', () => {
    expect(outcome('Time', '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><Time>&b;</Time>')).toBeInstanceOf(Sep2XmlError);
    const deep = '<Time>' + '<a>'.repeat(200) + '</a>'.repeat(200) + '</Time>';
    expect(outcome('Time', deep)).toBeInstanceOf(Sep2XmlError);
  });
});
