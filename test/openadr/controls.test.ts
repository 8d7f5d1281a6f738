import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ControlBook, fromOadrEvent, impossibleTimes, intentsForEvent, type DrEvent } from '../../src/protocols/openadr/controls.js';
import { openadrMappingSchema, openadrPolicySchema, openadrSignalBindingSchema } from '../../src/protocols/openadr/mapping.js';
import { eventSchema, programSchema, reportSchema, subscriptionSchema } from '../../src/protocols/openadr/oadr3/models.js';
import { sampleEvent } from './samples.js';

const policy = openadrPolicySchema.parse({});
const binding = openadrSignalBindingSchema.parse({ signal: 'SIMPLE', device: 'inv', point: 'WMaxLimPct', levels: { '0': 100, '1': 50, '2': 0, '3': 0 } });

describe('events → control intents', () => {
  it('2.0b intervals follow each other from dtstart; every intent expires', () => {
    const dr = fromOadrEvent(sampleEvent, 'vtn');
    const { intents, unsupported } = intentsForEvent(dr, [binding], policy, sampleEvent.createdDateTime);
    expect(unsupported).toEqual(['LOAD_DISPATCH']);
    expect(intents.map((i) => [i.cap, i.validFrom - sampleEvent.dtstart, i.validTo - i.validFrom])).toEqual([
      [50, 0, 1_800_000],
      [0, 1_800_000, 1_800_000],
    ]);
  });
  it('open-ended events are bounded by maxOpenEndedSec; test and cancelled events give nothing', () => {
    const base: DrEvent = { id: 'e', modification: 0, source: 's', cancelled: false, test: false, start: Date.UTC(2026, 0, 1), durationSec: 0, signals: [{ id: 'x', name: 'simple', intervals: [{ id: '0', start: Date.UTC(2026, 0, 1), durationSec: 0, value: 1 }] }] };
    const now = Date.UTC(2026, 0, 1, 1);
    const [i] = intentsForEvent(base, [binding], policy, now).intents;
    expect(i!.validTo).toBe(now + 3600_000);
    expect(intentsForEvent({ ...base, test: true }, [binding], policy, now).intents).toEqual([]);
    expect(intentsForEvent({ ...base, cancelled: true }, [binding], policy, now).intents).toEqual([]);
  });
  it('impossible times', () => {
    const dr = fromOadrEvent(sampleEvent, 'vtn');
    expect(impossibleTimes(dr)).toBeUndefined();
    expect(impossibleTimes({ ...dr, start: NaN })).toMatch(/start/);
    expect(impossibleTimes({ ...dr, durationSec: -1 })).toMatch(/duration/);
    expect(impossibleTimes({ ...dr, durationSec: 60 })).toMatch(/longer than the event/);
  });
  it('property: every intent has validFrom < validTo and validTo > now', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ d: fc.integer({ min: 0, max: 7200 }), v: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 20000 }), (ivs, nowOff) => {
        const start = Date.UTC(2026, 0, 1);
        let t = start;
        const intervals = ivs.map((x, n) => {
          const iv = { id: String(n), start: t, durationSec: x.d, value: x.v };
          t += x.d * 1000;
          return iv;
        });
        const now = start + nowOff * 1000;
        const { intents } = intentsForEvent({ id: 'e', modification: 0, source: 's', cancelled: false, test: false, start, durationSec: 0, signals: [{ id: 's', name: 'SIMPLE', intervals }] }, [binding], policy, now);
        return intents.every((i) => i.validFrom < i.validTo && i.validTo > now);
      }),
    );
  });
  it('ControlBook returns what to cancel on modification', () => {
    const b = new ControlBook();
    const mk = (id: string) => ({ id, source: 's', sourceClass: 'aggregator' as const, target: { device: 'd', name: 'n' }, cap: 1, validFrom: 0, validTo: 10 });
    expect(b.set('e', 0, [mk('a'), mk('b')])).toEqual([]);
    expect(b.set('e', 1, [mk('c')])).toEqual(['a', 'b']);
    expect(b.active(5).map((i) => i.id)).toEqual(['c']);
    expect(b.active(10)).toEqual([]);
    expect(b.remove('e')).toEqual(['c']);
  });
});

describe('mapping block', () => {
  it('defaults and strictness', () => {
    const m = openadrMappingSchema.parse({ vtnUrl: 'https://vtn', venName: 'v' });
    expect(m).toMatchObject({ version: '2.0b', transport: 'pull', reportOnly: false, policy: { opt: 'optIn', maxOpenEndedSec: 3600 } });
    expect(openadrMappingSchema.safeParse({ vtnUrl: 'https://vtn', venName: 'v', surprise: 1 }).success).toBe(false);
    const bad = openadrMappingSchema.safeParse({ vtnUrl: 'https://vtn', venName: 'v', signals: [{ signal: 'SIMPLE', device: 'd' }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['signals', 0, 'point']);
  });
});

const specDir = resolve(__dirname, '..', '..', '..', 'shared', 'schemas', 'openadr-3');
const specDirs = [specDir, '/work/shared/schemas/openadr-3'];
const found = specDirs.find((d) => existsSync(resolve(d, 'openadr3-3.0.1.yaml')));

describe('OpenADR 3 zod models follow the OpenAPI files', () => {
  it('the specification files are present', () => {
    expect(found, `OpenADR 3 OpenAPI files not found in ${specDir} (CI copies shared/ beside the repo)`).toBeTruthy();
  });
  for (const version of ['3.0.1', '3.1.0']) {
    it(`${version}: fields required by the spec are required by our parser (or deliberately tolerated)`, () => {
      const spec = parseYaml(readFileSync(resolve(found!, `openadr3-${version}.yaml`), 'utf8')) as { components: { schemas: Record<string, { required?: string[]; allOf?: Array<{ $ref?: string }> }> } };
      const s = spec.components.schemas;
      const required = (name: string): string[] => {
        const sch = s[name]!;
        const own = sch.required ?? [];
        const inherited = (sch.allOf ?? []).flatMap((a) => (a.$ref ? required(a.$ref.split('/').pop()!) : []));
        return [...own, ...inherited];
      };
      // VTN-provisioned metadata (id, dates, objectType) is tolerated as optional; so is report.programID (gone in 3.1).
      const tolerated = new Set(['id', 'createdDateTime', 'modificationDateTime', 'objectType', 'programID']);
      const check = (name: string, schema: z.ZodObject) => {
        for (const f of required(name)) {
          if (tolerated.has(f) && name !== 'event' && name !== 'subscription') continue;
          if (f === 'objectType' || f === 'id' || f.endsWith('DateTime')) continue;
          if (name === 'event' && f === 'intervals') continue; // required in 3.0.1, optional in 3.1.0: parsed as []
          const field = schema.shape[f] as z.ZodType | undefined;
          expect(field, `${version} ${name}.${f}`).toBeDefined();
          expect(field!.safeParse(undefined).success, `${version} ${name}.${f} must be required`).toBe(false);
        }
      };
      check('program', programSchema);
      check('event', eventSchema);
      check('report', reportSchema);
      check('subscription', subscriptionSchema);
    });
  }
});
