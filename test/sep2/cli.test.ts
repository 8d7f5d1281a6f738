/** CLI commands: usage, flag errors, scenario and mapping validation with the field named. */
import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sim from '../../src/cli/commands/sim-sep2.js';
import * as client from '../../src/cli/commands/client-sep2.js';
import { parseScenario, ScenarioError } from '../../src/sim/sep2/scenario.js';
import { Sep2MappingSchema } from '../../src/protocols/sep2/mapping.js';

function quiet<T>(fn: () => Promise<T>): Promise<{ value: T; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  return fn().then(
    (value) => {
      o.mockRestore();
      e.mockRestore();
      return { value, out, err };
    },
    (x: unknown) => {
      o.mockRestore();
      e.mockRestore();
      throw x;
    },
  );
}

describe('gridbridge sim sep2 / client sep2', () => {
  it('print usage with --help and have a summary', async () => {
    expect(sim.summary).toMatch(/2030\.5/);
    expect(client.summary).toMatch(/2030\.5/);
    const a = await quiet(() => sim.run(['--help']));
    expect(a.value).toBe(0);
    expect(a.out).toMatch(/--scenario/);
    const b = await quiet(() => client.run(['--help']));
    expect(b.value).toBe(0);
    expect(b.out).toMatch(/--cert/);
  });
  it('refuse bad flags and missing certificate material', async () => {
    expect((await quiet(() => sim.run(['--port', 'x']))).value).toBe(2);
    expect((await quiet(() => sim.run(['--nope']))).value).toBe(2);
    expect((await quiet(() => client.run(['--server', 'https://x/dcap']))).value).toBe(2);
  });
  it('a bad scenario file names the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sep2-cli-'));
    const f = join(dir, 's.yaml');
    writeFileSync(f, 'steps:\n  - at: 1\n    control: { duration: 0, base: {} }\n');
    const r = await quiet(() => sim.run(['--scenario', f]));
    rmSync(dir, { recursive: true, force: true });
    expect(r.value).toBe(2);
    expect(r.err).toMatch(/steps\[0\]/);
  });
});

describe('scenario and mapping schemas', () => {
  it('scenario defaults and errors with path', () => {
    const s = parseScenario('steps:\n  - at: 2\n    cancel: ABCD\n');
    expect(s.pollRate).toBe(30);
    expect(s.steps[0]).toEqual({ at: 2, cancel: 'ABCD', status: 2 });
    expect(() => parseScenario('programs:\n  - { primacy: 300 }\n')).toThrow(ScenarioError);
    try {
      parseScenario('programs:\n  - { primacy: 300 }\n', 'x.yaml');
    } catch (e) {
      expect((e as ScenarioError).path).toBe('programs[0].primacy');
    }
    expect(() => parseScenario('pollRate: [')).toThrow(/x|scenario/);
    const f = parseScenario('steps:\n  - { at: 1, path: /tm, fault: { status: 503 } }\n  - { at: 2, path: /tm, fault: null }\n');
    expect(f.steps).toEqual([{ at: 1, path: '/tm', fault: { status: 503 } }, { at: 2, path: '/tm', fault: null }]);
  });
  it('mapping block: strict, defaults from seed 002', () => {
    const m = Sep2MappingSchema.parse({ server: 'https://h:8443/dcap', device: 'bat', ratings: { maxW: 1, maxChargeRateW: 1, maxDischargeRateW: 1, maxWh: 1 } });
    expect(m).toMatchObject({ intervalSeconds: 30, statusSeconds: 60, sourceClass: 'dso', telemetry: [] });
    const bad = Sep2MappingSchema.safeParse({ server: 'https://h/dcap', device: 'bat', ratings: { maxW: 1, maxChargeRateW: 1, maxDischargeRateW: 1, maxWh: 1 }, telemetry: [{ device: 'm', name: 'W', quantity: 'watts' }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['telemetry', 0, 'quantity']);
    expect(Sep2MappingSchema.safeParse({ server: 'https://h/dcap', device: 'b', ratings: { maxW: 1, maxChargeRateW: 1, maxDischargeRateW: 1, maxWh: 1 }, extra: 1 }).success).toBe(false);
    const pin = (p: number) => Sep2MappingSchema.safeParse({ server: 'https://h/dcap', device: 'b', pin: p, ratings: { maxW: 1, maxChargeRateW: 1, maxDischargeRateW: 1, maxWh: 1 } });
    expect(pin(111115).success).toBe(true);
    expect(pin(111111).error!.issues[0]!.message).toMatch(/check digit/);
  });
});
