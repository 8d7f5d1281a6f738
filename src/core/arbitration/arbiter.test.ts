import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { SOURCE_CLASSES, type ControlIntent, type SourceClass } from '../control.js';
import { Arbiter, type Effective } from './arbiter.js';

const T0 = Date.UTC(2026, 0, 1);
const H = 3600_000;
const target = { device: 'ev1', name: 'SAPCLevel' };
let n = 0;
function intent(sourceClass: SourceClass, over: Partial<ControlIntent> = {}): ControlIntent {
  return { id: `i${++n}`, source: `test:${sourceClass}`, sourceClass, target, validFrom: T0, validTo: T0 + H, ...over };
}
function make(extra: ConstructorParameters<typeof Arbiter>[0] = {}) {
  const clock = new FakeClock(T0);
  const arbiter = new Arbiter({ clock, targets: [{ ...target, min: 0, max: 100, default: 100 }], ...extra });
  const changes: Effective[] = [];
  arbiter.on('change', (e) => changes.push(e));
  return { clock, arbiter, changes };
}

describe('every pair of source classes', () => {
  for (const a of SOURCE_CLASSES) {
    for (const b of SOURCE_CLASSES) {
      it(`${a} vs ${b}`, () => {
        const { arbiter } = make();
        const ia = intent(a, { value: 30 });
        const ib = intent(b, { value: 70 });
        arbiter.submit(ia);
        const rb = arbiter.submit(ib);
        const ra = SOURCE_CLASSES.indexOf(a);
        const rbk = SOURCE_CLASSES.indexOf(b);
        // setpoints: higher-ranked class wins; same class: the later submission wins
        const winner = ra < rbk ? ia : ib;
        expect(arbiter.effective(target)).toMatchObject({ value: winner.value, governing: [winner.id] });
        expect(rb.outcome).toBe(winner === ib ? 'applied' : 'superseded');
        if (winner === ib && ia.id) expect(rb.supersedes).toEqual([ia.id]);
        // caps: minimum wins whatever the class
        const ca = arbiter.submit(intent(a, { cap: 20 }));
        const cb = arbiter.submit(intent(b, { cap: 50 }));
        expect(arbiter.effective(target)).toMatchObject({ value: 20, basis: 'cap', governing: [winner.id, ca.intentId] });
        expect(cb.outcome).toBe('superseded');
        expect(cb.supersededBy).toContain(ca.intentId);
      });
    }
  }
});

describe('arbitration rules', () => {
  it('load controller cap outranks supplier and aggregator plans by clipping them', () => {
    const { arbiter } = make();
    const lc = arbiter.submit(intent('load_controller', { cap: 40 }));
    expect(lc.outcome).toBe('applied');
    const sup = arbiter.submit(intent('supplier', { value: 80 }));
    expect(sup).toMatchObject({ outcome: 'clipped', effective: 40, supersededBy: [lc.intentId] });
    const agg = arbiter.submit(intent('aggregator', { value: 90 }));
    expect(agg.outcome).toBe('superseded');
    expect(arbiter.effective(target)).toMatchObject({ value: 40, setpoint: 80, cap: 40 });
  });

  it('clips out-of-bounds values instead of rejecting, and says so', () => {
    const { arbiter } = make();
    const r = arbiter.submit(intent('owner', { value: 150 }));
    expect(r).toMatchObject({ outcome: 'clipped', effective: 100 });
    expect(r.reason).toMatch(/150 clipped to 100/);
    expect(arbiter.submit(intent('owner', { cap: -5 })).effective).toBe(0);
  });

  it('rejects malformed intents with a reason and keeps the current state', () => {
    const { arbiter } = make();
    arbiter.submit(intent('supplier', { cap: 60 }));
    const bad: Array<[Partial<ControlIntent>, RegExp]> = [
      [{ value: 1, cap: 2 }, /exactly one/],
      [{}, /exactly one/],
      [{ cap: NaN }, /finite/],
      [{ cap: 5, validTo: T0 }, /after validFrom/],
      [{ cap: 5, validFrom: T0 - 2 * H, validTo: T0 - H }, /ended/],
      [{ value: 'x' }, /must be a number/],
    ];
    for (const [over, re] of bad) {
      const r = arbiter.submit(intent('owner', over));
      expect(r.outcome).toBe('rejected');
      expect(r.reason).toMatch(re);
    }
    expect(arbiter.submit({ ...intent('owner', { cap: 1 }), sourceClass: 'martian' as SourceClass }).reason).toMatch(/unknown source class/);
    expect(arbiter.effective(target).value).toBe(60);
  });

  it('overlapping windows: effective follows each boundary exactly', () => {
    const { clock, arbiter, changes } = make();
    arbiter.submit(intent('supplier', { id: 'A', cap: 60, validFrom: T0, validTo: T0 + 2 * H }));
    arbiter.submit(intent('load_controller', { id: 'B', cap: 30, validFrom: T0 + H, validTo: T0 + 3 * H }));
    expect(arbiter.effective(target).value).toBe(60);
    clock.advance(H - 1);
    expect(arbiter.effective(target).value).toBe(60);
    clock.advance(1);
    expect(arbiter.effective(target).value).toBe(30);
    clock.advance(2 * H - 1);
    expect(arbiter.effective(target).value).toBe(30);
    clock.advance(1); // exactly validTo of B: expired, fall back to the default plan
    expect(arbiter.effective(target)).toMatchObject({ value: 100, basis: 'default' });
    expect(changes.map((c) => c.value)).toEqual([60, 30, 100]);
    expect(arbiter.audit.filter((a) => a.action === 'expire').map((a) => a.intentId)).toEqual(['A', 'B']);
    expect(arbiter.list()).toHaveLength(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('falls back to the local plan, then the default, on expiry', () => {
    const { clock, arbiter } = make();
    arbiter.submit(intent('local_plan', { id: 'L', value: 70, validTo: T0 + 10 * H }));
    arbiter.submit(intent('supplier', { id: 'S', value: 20, validTo: T0 + H }));
    expect(arbiter.effective(target).value).toBe(20);
    clock.advance(H);
    expect(arbiter.effective(target)).toMatchObject({ value: 70, governing: ['L'], sourceClass: 'local_plan' });
    clock.advance(9 * H);
    expect(arbiter.effective(target).basis).toBe('default');
  });

  it('with no default, nothing active means no control', () => {
    const clock = new FakeClock(T0);
    const a = new Arbiter({ clock });
    expect(a.effective({ device: 'x', name: 'WMaxLimPct' })).toMatchObject({ value: undefined, basis: 'none' });
  });

  it('randomises once per intent and never an already-randomised one', () => {
    let draws = 0;
    const { clock, arbiter } = make({ random: () => (draws++, 0.5), randomDelayMaxMs: { supplier: 600_000 } });
    const i = intent('supplier', { id: 'R', cap: 10 });
    const r1 = arbiter.submit(i);
    expect(r1).toMatchObject({ randomDelayMs: 300_000, validFrom: T0 + 300_000, validTo: T0 + H + 300_000, scheduled: true });
    expect(arbiter.submit(i)).toEqual({ ...r1, duplicate: true }); // duplicate: same answer, no new draw
    arbiter.submit({ ...i, cap: 15 }); // update of the same id keeps the drawn delay
    expect(draws).toBe(1);
    expect(arbiter.list()[0]).toMatchObject({ cap: 15, validFrom: T0 + 300_000 });
    arbiter.submit(intent('supplier', { id: 'Z', cap: 5, randomised: true }));
    expect(draws).toBe(1);
    expect(arbiter.effective(target).value).toBe(5);
    clock.advance(300_000);
    expect(arbiter.audit.some((a) => a.action === 'duplicate')).toBe(true);
  });

  it('cancel removes an intent and falls back', () => {
    const { arbiter } = make();
    arbiter.submit(intent('owner', { id: 'C', cap: 10 }));
    expect(arbiter.cancel('C')?.outcome).toBe('cancelled');
    expect(arbiter.cancel('C')).toBeUndefined();
    expect(arbiter.effective(target).value).toBe(100);
  });

  it('priority orders setpoints within a class (lower wins)', () => {
    const { arbiter } = make();
    arbiter.submit(intent('dso', { id: 'p2', value: 50, priority: 2 }));
    arbiter.submit(intent('dso', { id: 'p1', value: 60, priority: 1 }));
    expect(arbiter.effective(target).governing).toEqual(['p1']);
  });

  it('targets are independent; an intent moved to another target releases the first', () => {
    const { clock, arbiter, changes } = make();
    const other = { device: 'hp1', name: 'SAPCLevel' };
    arbiter.submit(intent('supplier', { id: 'M', cap: 20 }));
    arbiter.submit(intent('owner', { id: 'O', cap: 50, target: other, validTo: T0 + 2 * H }));
    expect(changes.map((c) => `${c.target.device}=${String(c.value)}`)).toEqual(['ev1=20', 'hp1=50']);
    arbiter.submit(intent('supplier', { id: 'M', cap: 10, target: other }));
    expect(arbiter.effective(target).value).toBe(100);
    expect(arbiter.effective(other).value).toBe(10);
    clock.advance(H);
    expect(arbiter.effective(other).value).toBe(50);
    clock.advance(H);
    expect(arbiter.effective(other).value).toBeUndefined();
    expect(changes.map((c) => `${c.target.device}=${String(c.value)}`)).toEqual(['ev1=20', 'hp1=50', 'ev1=100', 'hp1=10', 'hp1=50', 'hp1=undefined']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('audits every decision with source, value, window and outcome', () => {
    const { arbiter } = make();
    arbiter.submit(intent('aggregator', { id: 'X', value: 55 }));
    const e = arbiter.audit.find((a) => a.action === 'submit');
    expect(e).toMatchObject({ intentId: 'X', source: 'test:aggregator', sourceClass: 'aggregator', value: 55, validFrom: T0, validTo: T0 + H, outcome: 'applied', effective: 55 });
  });
});
