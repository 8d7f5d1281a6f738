import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { formatRigSummary, runRig, SCENARIOS } from './rig.js';

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
    const md = formatRigSummary(report);
    expect(md).toMatch(/\| lc-limit-and-expiry \| PASS \| \d+/);
  });
  it('refuses unknown scenario names', async () => {
    await expect(runRig({ scenarios: ['nope'] })).rejects.toThrow(/unknown scenario/);
  });
});
