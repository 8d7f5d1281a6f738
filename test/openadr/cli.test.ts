import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { run as simVtn } from '../../src/cli/commands/sim-vtn.js';
import { run as simVtn3 } from '../../src/cli/commands/sim-vtn3.js';
import { run as venOpenadr } from '../../src/cli/commands/ven-openadr.js';
import { OpenadrVen } from '../../src/protocols/openadr/factory.js';
import { parseVtnScript } from '../../src/sim/openadr/script.js';
import { VtnSim20b } from '../../src/sim/openadr/vtn20b.js';
import { point } from './harness.js';

const out: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  out.length = 0;
});
function capture() {
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (out.push(String(s)), true));
}

describe('CLI', () => {
  it('--help and bad flags', async () => {
    capture();
    expect(await simVtn(['--help'])).toBe(0);
    expect(await simVtn3(['--help'])).toBe(0);
    expect(await venOpenadr(['--help'])).toBe(0);
    expect(await simVtn(['--port', 'x'])).toBe(2);
    expect(await simVtn3(['--version', '2'])).toBe(2);
    expect(await venOpenadr([])).toBe(2);
    expect(out.join('')).toMatch(/usage: gridbridge sim vtn/);
  });
  it('script errors name the file and field', async () => {
    capture();
    const r = parseVtnScript('steps:\n  - at: -1\n', 's.yaml');
    expect(r.errors[0]).toMatchObject({ file: 's.yaml', path: 'steps[0].at' });
    expect(parseVtnScript(readFileSync(join(__dirname, '..', 'vectors', 'openadr', 'vtn-script.yaml'), 'utf8')).script?.steps.length).toBe(5);
  });
});

describe('factory: mapping block → VEN, scripted VTN end to end', () => {
  it('runs the example script against a VEN built from a mapping', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const script = parseVtnScript(readFileSync(join(__dirname, '..', 'vectors', 'openadr', 'vtn-script.yaml'), 'utf8')).script!;
    const log: Array<{ event: string; [k: string]: unknown }> = [];
    const vtn = new VtnSim20b({ clock, script, log: (e) => log.push(e) });
    await vtn.start();
    const ven = new OpenadrVen(
      OpenadrVen.parseMapping({
        openadr: {
          vtnUrl: vtn.url,
          venName: 'cem-cli',
          reports: [{ device: 'm', point: 'W' }, { device: 'm', point: 'St', report: 'TELEMETRY_STATUS' }],
          signals: [{ signal: 'SIMPLE', device: 'inv', point: 'WMaxLimPct', levels: { '0': 100, '1': 50, '2': 0, '3': 0 } }],
        },
      }),
      clock,
    );
    const controls: unknown[] = [];
    ven.on('control', (c) => controls.push(c));
    ven.update(point('m', 'W', 500, clock.now()));
    ven.update(point('m', 'St', true, clock.now()));
    await ven.start();
    for (let t = 0; t < 120; t++) {
      clock.advance(1000);
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 1));
    }
    await ven.stop();
    await vtn.stop();
    expect(log.filter((e) => e.event === 'report' && e.reportRequestID === 'usage').length).toBeGreaterThanOrEqual(6);
    expect(controls.length).toBe(1);
  });
});
