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
  it('100 000 hostile documents across every resource: a typed value or a Sep2XmlError naming where, never a crash', () => {
    const names = Object.keys(RESOURCES);
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('text' as const), s: fc.string({ maxLength: 200 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), s: fc.oneof(fc.string({ maxLength: 16 }), fc.constantFrom('<', '>', '</', '&', '&amp;', '&#0;', '<![CDATA[', ']]>', '<?x?>', '<!--', 'xmlns:a="b"', '<csipaus:opModExpLimW>', '\u0000', '\uFFFF')) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('number' as const), k: fc.nat(), s: fc.oneof(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String), fc.double().map(String), fc.constantFrom('', '-0', '1e309', 'Infinity', '0x1F', ' ')) }),
      fc.record({ kind: fc.constant('remove' as const), k: fc.nat() }),
      fc.record({ kind: fc.constant('duplicate' as const), k: fc.nat() }),
      fc.record({ kind: fc.constant('unknown' as const), k: fc.nat(), name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,12}$/) }),
      fc.record({ kind: fc.constant('root' as const), name: fc.constantFrom(...names) }),
    );
    const element = /<([A-Za-z]+)>[^<]*<\/\1>/g;
    fc.assert(
      fc.property(vec, mutation, (v, m) => {
        let xml = v.xml;
        let resource = v.resource;
        const els = [...v.xml.matchAll(element)];
        const pick = (k: number) => els[k % els.length];
        switch (m.kind) {
          case 'text':
            xml = m.s;
            break;
          case 'insert':
            xml = xml.slice(0, m.at % (xml.length + 1)) + m.s + xml.slice(m.at % (xml.length + 1));
            break;
          case 'truncate':
            xml = xml.slice(0, m.at % (xml.length + 1));
            break;
          case 'number': {
            const h = [...v.xml.matchAll(/<([A-Za-z]+)>(-?\d+)<\/\1>/g)][m.k % Math.max(1, els.length)];
            if (h) xml = xml.slice(0, h.index) + `<${h[1]}>${m.s}</${h[1]}>` + xml.slice(h.index + h[0].length);
            break;
          }
          case 'remove':
          case 'duplicate':
          case 'unknown': {
            const h = els.length ? pick(m.k) : undefined;
            if (!h) break;
            const rep = m.kind === 'remove' ? '' : m.kind === 'duplicate' ? h[0] + h[0] : `<${m.name}>x</${m.name}>` + h[0];
            xml = xml.slice(0, h.index) + rep + xml.slice(h.index + h[0].length);
            break;
          }
          case 'root':
            resource = m.name;
            break;
        }
        const r = outcome(resource, xml);
        if (r !== 'ok') {
          expect(r.message.length).toBeGreaterThan(0);
          expect(r.path === '' || /^[A-Za-z]/.test(r.path)).toBe(true);
        } else {
          // What parses can be written again and read back (no value the serializer refuses).
          const res = RESOURCES[resource]!;
          expect(() => res.parse(res.serialize(res.parse(xml)))).not.toThrow();
        }
      }),
      { numRuns: 100_000 },
    );
  }, 600_000);

  it('an entity expansion bomb or deep nesting is refused quickly', () => {
    expect(outcome('Time', '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><Time>&b;</Time>')).toBeInstanceOf(Sep2XmlError);
    const deep = '<Time>' + '<a>'.repeat(200) + '</a>'.repeat(200) + '</Time>';
    expect(outcome('Time', deep)).toBeInstanceOf(Sep2XmlError);
  });
});
