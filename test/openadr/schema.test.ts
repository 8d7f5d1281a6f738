import { beforeAll, describe, expect, it } from 'vitest';
import { serialize } from '../../src/protocols/openadr/oadr20b/build.js';
import { parse } from '../../src/protocols/openadr/oadr20b/parse.js';
import { samples } from './samples.js';
import { validate20b, validateMany } from './xsd.js';

describe('OpenADR 2.0b payloads validate against oadr_20b.xsd', () => {
  it('rejects an invalid payload (the validator can fail)', async () => {
    const r = await validate20b(serialize({ type: 'oadrPoll', venID: 'v' }).replace('<ei:venID>v</ei:venID>', '<ei:vtnID>v</ei:vtnID>'));
    expect(r.valid).toBe(false);
  });
  let results: Array<{ valid: boolean; errors: string[] }> = [];
  beforeAll(async () => {
    results = await validateMany(samples.map(serialize));
  });
  samples.forEach((m, i) => {
    it(`${m.type} is schema-valid and round-trips`, () => {
      const xml = serialize(m);
      const r = results[i]!;
      expect(r.errors).toEqual([]);
      expect(r.valid).toBe(true);
      expect(parse(xml)).toEqual(m);
    });
  });
});
