import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { formatRigHtml, formatRigSummary, runRig, SCENARIOS, REQUIREMENTS } from './rig.js';

describe('SAPC override rig (virtual time, 9600 baud)', () => {
  it('runs every scenario and passes', async () => {
    const report = await runRig({ clock: new FakeClock(Date.UTC(2026, 0, 1)) });
    const failed = report.scenarios.filter((s) => !s.passed).map((s) => ({ name: s.name, checks: s.checks.filter((c) => !c.ok), error: s.error }));
    expect(failed).toEqual([]);
    expect(report.scenarios).toHaveLength(SCENARIOS.length);
    const lc = report.scenarios.find((s) => s.name === 'lc-limit-and-expiry')!;
    // One ~130-byte command at 9600 baud (~135 ms) + the 100 ms control loop, in virtual time.
    expect(lc.latencyMs[0]).toBeGreaterThan(200);
    expect(lc.latencyMs[0]).toBeLessThan(400);
    // The ACK comes back after the command's and the ACK's line time (≈ 124 + 33 bytes at 9600 baud).
    expect(lc.ackMs[0]).toBeGreaterThan(150);
    expect(lc.ackMs[0]).toBeLessThan(250);
    expect(lc.limit.map((p) => p.value)).toEqual([100, 40, 100]);
    expect(lc.power.map((p) => p.value)).toEqual([7400, 2960, 7400]);
    expect(lc.trace.map((t) => `${t.dir}${t.text.slice(0, 7)}`)).toEqual(['>$1,CMD,', '<$1,ACK,']);
    const md = formatRigSummary(report);
    expect(md).toMatch(/\| lc-limit-and-expiry \| PASS \| \d+/);
    // Every requirement any scenario names is tested and passes.
    const named = new Set(SCENARIOS.flatMap((s) => s.requirements));
    for (const q of report.requirements) expect(q.result, q.id).toBe(named.has(q.id) ? 'pass' : 'not tested');
    for (const s of report.scenarios) for (const c of s.checks) expect(REQUIREMENTS.map((q) => q.id)).toContain(c.req);
  });

  it('dates the report from the wall clock, not the virtual clock, and names software and equipment', async () => {
    const wall = Date.UTC(2026, 11, 6, 14, 8, 8);
    const report = await runRig({ clock: new FakeClock(Date.UTC(2026, 0, 1)), wallClock: () => wall, softwareVersion: '9.9.9', scenarios: ['cancel'] });
    expect(report.generatedAt).toBe('2026-12-06T14:08:08.000Z');
    expect(report.clockStart).toBe('2026-01-01T00:00:00.000Z');
    expect(Date.parse(report.clockEnd)).toBeGreaterThan(Date.parse(report.clockStart));
    expect(report.software).toEqual({ name: 'GridBridge', version: '9.9.9', protocol: expect.stringMatching(/^SSP-1 1\.\d$/) });
    expect(report.equipment.kind).toBe('GridBridge SAPC appliance simulator');
    const md = formatRigSummary(report);
    expect(md).toContain('**Generated:** 2026-12-06T14:08:08.000Z (wall clock)');
    expect(md).toContain('GridBridge 9.9.9');
  });

  it('renders a self-contained HTML report with one chart per scenario', async () => {
    const report = await runRig({ clock: new FakeClock(Date.UTC(2026, 0, 1)), scenarios: ['lc-limit-and-expiry', 'level-out-of-range'] });
    report.scenarios[0]!.checks.push({ req: 'R2', label: 'a <forced> failure & more', ok: false });
    report.scenarios[0]!.passed = false;
    const html = formatRigHtml(report);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.match(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g)).toHaveLength(2);
    expect(html).not.toMatch(/<(script|link|img)\b/);
    expect(html).toContain('a &lt;forced&gt; failure &amp; more');
    expect(html).toMatch(/<td class="fail">FAIL<\/td>/);
    expect(html).toContain('$1,CMD,1,slot=1,dir=IMP,lvl=40');
    // The limit path steps from 100 % (7400 W) to 40 % and back; the power path likewise.
    const paths = [...html.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]!);
    expect(paths[0]).toMatch(/^M64\.0,[\d.]+ H[\d.]+ V[\d.]+ H[\d.]+ V[\d.]+ H704\.0$/);
    expect(paths[1]).toMatch(/^M64\.0,/);
  });

  it('refuses unknown scenario names', async () => {
    await expect(runRig({ scenarios: ['nope'] })).rejects.toThrow(/unknown scenario/);
  });
});
