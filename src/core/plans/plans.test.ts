import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { Arbiter } from '../arbitration/arbiter.js';
import { validatePlan, type DeviceLimits } from './plan.js';
import { PlanRunner } from './runner.js';

const T0 = Date.UTC(2026, 0, 1);
const H = 3600_000;
const limits: DeviceLimits = { maxChargeW: 3000, maxDischargeW: 3000, minSoC: 10, maxSoC: 95 };
const seg = (mode: string, from: number, to: number, extra: Record<string, number> = {}) => ({ mode, from: T0 + from * H, to: T0 + to * H, ...extra });
const plan = (segments: unknown[], id = 'p1') => ({ id, device: 'bat1', segments });

describe('validatePlan', () => {
  it('accepts charge / balance / discharge up to 48 h', () => {
    const r = validatePlan(plan([seg('charge', 0, 2, { powerW: 2000 }), seg('balance', 9, 12), seg('discharge', 15, 48, { socPct: 20 })]), limits, T0);
    expect(r.ok).toBe(true);
  });
  it('accepts ISO times', () => {
    const r = validatePlan(plan([{ mode: 'charge', from: '2026-01-01T00:30:00Z', to: '2026-01-01T02:00:00Z', powerW: 1000 }]), limits, T0);
    expect(r.ok && r.plan.segments[0]!.from).toBe(T0 + H / 2);
  });
  const rejects: Array<[string, unknown, RegExp, string]> = [
    ['over 48 h', plan([seg('charge', 0, 1, { powerW: 1 }), seg('balance', 47, 48.5)]), /at most 48 h/, 'segments'],
    ['overlapping segments', plan([seg('charge', 0, 2, { powerW: 1 }), seg('discharge', 1, 3, { powerW: 1 })]), /overlaps segments\[0\]/, 'segments[1].from'],
    ['unsafe power', plan([seg('discharge', 0, 1, { powerW: 5000 })]), /unsafe: 5000 W/, 'segments[0].powerW'],
    ['unsafe SoC', plan([seg('discharge', 0, 1, { socPct: 5 })]), /unsafe: SoC target 5/, 'segments[0].socPct'],
    ['both power and SoC', plan([seg('charge', 0, 1, { socPct: 50, powerW: 10 })]), /exactly one/, 'segments[0].powerW'],
    ['negative power', plan([seg('charge', 0, 1, { powerW: -10 })]), /./, 'segments[0].powerW'],
    ['in the past', plan([seg('charge', -3, -1, { powerW: 10 })]), /before now/, 'segments'],
    ['end before start', plan([seg('charge', 2, 1, { powerW: 10 })]), /end after/, 'segments[0].to'],
    ['unknown mode', plan([seg('boost', 0, 1)]), /./, 'segments[0].mode'],
  ];
  for (const [name, input, re, path] of rejects) {
    it(`rejects ${name} with a clear reason`, () => {
      const r = validatePlan(input, limits, T0);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.issues).toContainEqual(expect.objectContaining({ path, message: expect.stringMatching(re) }));
    });
  }
  it('rejects a plan overlapping another plan of the device', () => {
    const a = validatePlan(plan([seg('charge', 0, 5, { powerW: 10 })], 'a'), limits, T0);
    if (!a.ok) throw new Error('a');
    const r = validatePlan(plan([seg('discharge', 4, 6, { powerW: 10 })], 'b'), limits, T0, [a.plan]);
    expect(!r.ok && r.issues[0]!.message).toMatch(/overlaps plan "a"/);
  });
});

describe('PlanRunner', () => {
  function make() {
    const clock = new FakeClock(T0);
    const arbiter = new Arbiter({ clock, targets: [{ device: 'bat1', name: 'WSet', min: -3000, max: 3000, default: 0 }, { device: 'bat1', name: 'PlanMode', default: 'local' }] });
    const runner = new PlanRunner({ arbiter, clock, device: 'bat1', limits });
    return { clock, arbiter, runner };
  }
  it('executes segments as local_plan intents and falls back when the plan ends', () => {
    const { clock, arbiter, runner } = make();
    const r = runner.load(plan([seg('charge', 0, 1, { powerW: 2000 }), seg('discharge', 2, 3, { powerW: 1500 })]));
    expect(r.ok).toBe(true);
    expect(arbiter.effective(runner.powerTarget)).toMatchObject({ value: -2000, sourceClass: 'local_plan' });
    expect(arbiter.effective(runner.modeTarget).value).toBe('charge');
    clock.advance(H);
    expect(arbiter.effective(runner.powerTarget)).toMatchObject({ value: 0, basis: 'default' });
    expect(arbiter.effective(runner.modeTarget).value).toBe('local');
    clock.advance(H);
    expect(arbiter.effective(runner.powerTarget).value).toBe(1500);
    clock.advance(H);
    expect(arbiter.effective(runner.powerTarget).basis).toBe('default');
    expect(runner.active()).toHaveLength(0);
  });
  it('charges to a SoC target, then holds', () => {
    const { arbiter, runner } = make();
    runner.load(plan([seg('charge', 0, 4, { socPct: 80 })]));
    runner.updateSoC(50);
    expect(arbiter.effective(runner.powerTarget).value).toBe(-3000);
    runner.updateSoC(80);
    expect(arbiter.effective(runner.powerTarget).value).toBe(0);
  });
  it('balance follows the site net power within limits', () => {
    const { arbiter, runner } = make();
    runner.load(plan([seg('balance', 0, 4, { powerW: 2500 })]));
    runner.updateSiteW(1200);
    expect(arbiter.effective(runner.powerTarget).value).toBe(1200);
    runner.updateSiteW(-4000);
    expect(arbiter.effective(runner.powerTarget).value).toBe(-2500);
  });
  it('a cap from a load controller clips the plan', () => {
    const { arbiter, runner } = make();
    runner.load(plan([seg('discharge', 0, 4, { powerW: 3000 })]));
    arbiter.submit({ id: 'lc', source: 'sapc:1', sourceClass: 'load_controller', target: runner.powerTarget, cap: 1000, validFrom: T0, validTo: T0 + H });
    expect(arbiter.effective(runner.powerTarget)).toMatchObject({ value: 1000, basis: 'cap' });
  });
  it('refuses an invalid plan and submits nothing', () => {
    const { arbiter, runner } = make();
    const r = runner.load(plan([seg('discharge', 0, 1, { powerW: 9000 })]));
    expect(r.ok).toBe(false);
    expect(arbiter.list()).toHaveLength(0);
  });
  it('cancel removes the plan intents', () => {
    const { arbiter, runner } = make();
    runner.load(plan([seg('charge', 0, 1, { powerW: 100 })]));
    expect(runner.cancel('p1')).toBe(true);
    expect(arbiter.list()).toHaveLength(0);
  });
});
