/** Scheduler table tests with FakeClock: overlaps, primacy, randomization bounds, supersede, default, clock offset. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { DerControlScheduler, drawRandomization, type ResponseToSend, type ProgramSnapshot } from './scheduler.js';
import type { DERControl, DERControlBase, DefaultDERControl } from './derControl.js';
import { controlsToIntents } from './controls.js';

const T0 = Date.UTC(2026, 0, 1) / 1000; // FakeClock start, seconds

function ev(mRID: string, start: number, duration: number, base: DERControlBase, extra: Partial<DERControl> = {}): DERControl {
  return {
    mRID,
    replyTo: '/rsp',
    responseRequired: '03',
    creationTime: T0 - 100,
    EventStatus: { currentStatus: 0, dateTime: T0 - 100, potentiallySuperseded: false },
    interval: { start: T0 + start, duration },
    DERControlBase: base,
    ...extra,
  };
}
const dflt: DefaultDERControl = { mRID: 'D1', DERControlBase: { opModMaxLimW: 10000, opModConnect: true } };

function setup(programs: ProgramSnapshot[], random = () => 0.5) {
  const clock = new FakeClock();
  const responses: ResponseToSend[] = [];
  const s = new DerControlScheduler({ clock, random, onResponse: (r) => responses.push(r) });
  s.setPrograms(programs);
  const statuses = (m: string) => responses.filter((r) => r.subject === m).map((r) => r.status);
  const mode = (m: string) => s.state().controls.find((c) => c.mode === m);
  return { clock, s, responses, statuses, mode };
}

describe('DerControlScheduler', () => {
  it('runs an event from start to end: received, started, completed; default before and after', () => {
    const t = setup([{ href: '/derp/1', primacy: 1, controls: [ev('E1', 60, 120, { opModMaxLimW: 5000 })], defaultControl: dflt }]);
    expect(t.statuses('E1')).toEqual([1]);
    expect(t.mode('opModMaxLimW')).toMatchObject({ isDefault: true, value: 10000 });
    t.clock.advance(60_000);
    expect(t.mode('opModMaxLimW')).toMatchObject({ isDefault: false, value: 5000, mRID: 'E1' });
    expect(t.mode('opModConnect')).toMatchObject({ isDefault: true });
    expect(t.statuses('E1')).toEqual([1, 2]);
    t.clock.advance(120_000);
    expect(t.statuses('E1')).toEqual([1, 2, 3]);
    expect(t.mode('opModMaxLimW')).toMatchObject({ isDefault: true, value: 10000 });
  });

  it.each([
    ['lower primacy wins across programs; loser aborted with 14', 1, 5, 'A', 'B'],
    ['lower primacy wins even when it is the older event', 5, 1, 'B', 'A'],
  ])('%s', (_n, pa, pb, winner, loser) => {
    const t = setup([
      { href: '/derp/a', primacy: pa, controls: [ev('A', 0, 600, { opModFixedW: 1000 }, { creationTime: T0 - 10 })] },
      { href: '/derp/b', primacy: pb, controls: [ev('B', 0, 600, { opModFixedW: 2000 }, { creationTime: T0 - 50 })] },
    ]);
    t.clock.advance(1000);
    expect(t.mode('opModFixedW')!.mRID).toBe(winner);
    expect(t.statuses(winner)).toEqual([1, 2]);
    expect(t.statuses(loser)).toEqual([1, 14]);
  });

  it('different modes from different programs apply together', () => {
    const t = setup([
      { href: '/derp/a', primacy: 1, controls: [ev('A', 0, 600, { opModMaxLimW: 5000 })] },
      { href: '/derp/b', primacy: 2, controls: [ev('B', 0, 600, { opModConnect: false })] },
    ]);
    t.clock.advance(1);
    expect(t.s.state().activeEvents).toEqual(['A', 'B']);
  });

  it('same program overlap: the newer supersedes the older (7), even before either starts', () => {
    const t = setup([
      {
        href: '/derp/1',
        primacy: 1,
        controls: [ev('OLD', 60, 600, { opModTargetW: { multiplier: 0, value: 100 } }, { creationTime: T0 - 100 }), ev('NEW', 300, 600, { opModTargetW: { multiplier: 0, value: 200 } }, { creationTime: T0 - 50 })],
      },
    ]);
    expect(t.statuses('OLD')).toEqual([1, 7]);
    t.clock.advance(100_000);
    expect(t.mode('opModTargetW')).toBeUndefined();
    t.clock.advance(200_000);
    expect(t.mode('opModTargetW')!.mRID).toBe('NEW');
  });

  it('a newer event that has not started never supersedes a running one: the running one holds until the newer starts', () => {
    const lim = (w: number) => ({ opModExpLimW: { multiplier: 0, value: w } });
    const t = setup([{ href: '/p', primacy: 1, controls: [ev('A', 0, 600, lim(1500), { creationTime: T0 - 100 }), ev('B', 30, 600, lim(4000), { creationTime: T0 - 50 })], defaultControl: { mRID: 'D', DERControlBase: lim(5000) } }]);
    t.clock.advance(1000);
    expect(t.mode('opModExpLimW')).toMatchObject({ mRID: 'A', isDefault: false });
    expect(t.statuses('A')).toEqual([1, 2]);
    t.clock.advance(20_000);
    expect(t.mode('opModExpLimW')).toMatchObject({ mRID: 'A' });
    t.clock.advance(10_000);
    expect(t.mode('opModExpLimW')).toMatchObject({ mRID: 'B', isDefault: false });
    expect(t.statuses('A')).toEqual([1, 2, 7]);
  });

  it.each([
    ['the later one is less restrictive: it is superseded, the running one stays', 4000, 'A', 'B'],
    ['the later one is more restrictive: it supersedes the running one when it starts', 1000, 'B', 'A'],
  ])('equal creationTime (envoy): %s, and the decision is logged', (_n, bW, winner, loser) => {
    const clock = new FakeClock();
    const responses: ResponseToSend[] = [];
    const logs: string[] = [];
    const lim = (w: number) => ({ opModExpLimW: { multiplier: 0, value: w }, opModConnect: true });
    const s = new DerControlScheduler({ clock, random: () => 0.5, onResponse: (r) => responses.push(r), onLog: (m) => logs.push(m) });
    s.setPrograms([{ href: '/p', primacy: 1, controls: [ev('A', 0, 600, lim(1500)), ev('B', 30, 600, lim(bW))], defaultControl: { mRID: 'D', DERControlBase: { opModExpLimW: { multiplier: 0, value: 5000 } } } }]);
    const st = (m: string) => responses.filter((r) => r.subject === m).map((r) => r.status);
    const exp = () => s.state().controls.find((c) => c.mode === 'opModExpLimW');
    clock.advance(1000);
    // Never the default while A runs, and A is not reported superseded before B starts.
    expect(exp()).toMatchObject({ mRID: 'A', isDefault: false });
    expect(st('A')).toEqual([1, 2]);
    clock.advance(40_000);
    expect(exp()).toMatchObject({ mRID: winner, isDefault: false });
    expect(st(loser)).toContain(7);
    expect(st(winner)).not.toContain(7);
    expect(logs.join('\n')).toMatch(new RegExp(`${winner} supersedes ${loser} because it is the more restrictive`));
  });

  it('across programs of equal primacy and creationTime, the more restrictive value wins the mode', () => {
    const t = setup([
      { href: '/a', primacy: 1, controls: [ev('Z', 0, 600, { opModConnect: true })] },
      { href: '/b', primacy: 1, controls: [ev('Y', 0, 600, { opModConnect: false })] },
    ]);
    t.clock.advance(1000);
    expect(t.mode('opModConnect')).toMatchObject({ mRID: 'Y', value: false });
  });

  it.each([
    ['a negative export limit', { opModExpLimW: { multiplier: 0, value: -100 } }, 600, /opModExpLimW -100 is a negative limit/],
    ['opModMaxLimW over 100 %', { opModMaxLimW: 20000 }, 600, /opModMaxLimW 20000 is more than 100 %/],
    ['opModFixedW beyond ±100 %', { opModFixedW: -12000 }, 600, /opModFixedW -12000/],
    ['a zero duration', { opModConnect: false }, 0, /duration is 0/],
  ])('nonsense control (%s) is rejected with 253, logged, and never applied', (_n, base, duration, why) => {
    const clock = new FakeClock();
    const responses: ResponseToSend[] = [];
    const logs: string[] = [];
    const s = new DerControlScheduler({ clock, random: () => 0.5, onResponse: (r) => responses.push(r), onLog: (m) => logs.push(m) });
    s.setPrograms([{ href: '/p', primacy: 1, controls: [ev('BAD', 0, duration, base as DERControlBase)] }]);
    clock.advance(1000);
    expect(responses.filter((r) => r.subject === 'BAD').map((r) => r.status)).toEqual([1, 253]);
    expect(s.state().controls.filter((c) => !c.isDefault)).toEqual([]);
    expect(logs.join('\n')).toMatch(why);
  });

  it('an event that started in the past and is still running applies for what is left of it', () => {
    const t = setup([{ href: '/p', primacy: 1, controls: [ev('LATE', -300, 600, { opModMaxLimW: 3000 })] }]);
    expect(t.mode('opModMaxLimW')).toMatchObject({ mRID: 'LATE', validTo: (T0 + 300) * 1000 });
    expect(t.statuses('LATE')).toEqual([1, 2]);
  });

  it('a default with a nonsense value does not apply that mode (the others do)', () => {
    const t = setup([{ href: '/p', primacy: 1, controls: [], defaultControl: { mRID: 'D', DERControlBase: { opModExpLimW: { multiplier: 0, value: -5 }, opModConnect: true } } }]);
    expect(t.mode('opModExpLimW')).toBeUndefined();
    expect(t.mode('opModConnect')).toMatchObject({ value: true });
  });

  it('curve modes are refused with a reason naming the mode: alone 252, beside an applicable mode the rest applies', () => {
    const clock = new FakeClock();
    const responses: ResponseToSend[] = [];
    const logs: string[] = [];
    const s = new DerControlScheduler({ clock, random: () => 0.5, onResponse: (r) => responses.push(r), onLog: (m) => logs.push(m) });
    s.setPrograms([{ href: '/p', primacy: 1, controls: [ev('VV', 0, 600, { opModVoltVar: { href: '/curve/1' } }), ev('MIX', 0, 600, { opModFreqWatt: { href: '/curve/2' }, opModMaxLimW: 5000 })] }]);
    clock.advance(1000);
    expect(responses.filter((r) => r.subject === 'VV').map((r) => r.status)).toEqual([1, 252]);
    expect(s.state().controls.find((c) => c.mode === 'opModMaxLimW')).toMatchObject({ mRID: 'MIX' });
    expect(logs.find((l) => l.startsWith('DERControl VV'))).toMatch(/opModVoltVar \(volt-var curve\) refused/);
    expect(logs.find((l) => l.startsWith('DERControl MIX'))).toMatch(/opModFreqWatt \(frequency-watt curve\) refused.*other modes are applied/);
  });

  it('same program, no overlap: both run in turn', () => {
    const t = setup([{ href: '/p', primacy: 1, controls: [ev('A', 0, 60, { opModFixedW: 1 }), ev('B', 60, 60, { opModFixedW: 2 }, { creationTime: T0 - 200 })] }]);
    t.clock.advance(30_000);
    expect(t.mode('opModFixedW')!.mRID).toBe('A');
    t.clock.advance(60_000);
    expect(t.mode('opModFixedW')!.mRID).toBe('B');
    expect(t.statuses('A')).toEqual([1, 2, 3]);
  });

  it('cancellation by the server (status 2) stops the event with response 6', () => {
    const progs: ProgramSnapshot[] = [{ href: '/p', primacy: 1, controls: [ev('C', 0, 600, { opModConnect: false })], defaultControl: dflt }];
    const t = setup(progs);
    t.clock.advance(1000);
    expect(t.mode('opModConnect')).toMatchObject({ value: false, isDefault: false });
    t.s.setPrograms([{ ...progs[0]!, controls: [ev('C', 0, 600, { opModConnect: false }, { EventStatus: { currentStatus: 2, dateTime: T0, potentiallySuperseded: false } })] }]);
    expect(t.statuses('C')).toEqual([1, 2, 6]);
    expect(t.mode('opModConnect')).toMatchObject({ value: true, isDefault: true });
  });

  it('cancelled with randomization (status 3) stops a running event after its random offset', () => {
    const mk = (st: number) => [{ href: '/p', primacy: 1, controls: [ev('R3', 0, 3600, { opModFixedW: 1 }, { randomizeStart: 120, EventStatus: { currentStatus: st, dateTime: T0, potentiallySuperseded: false } })] }];
    const t = setup(mk(0), () => 0.5);
    t.clock.advance(61_000);
    expect(t.mode('opModFixedW')!.mRID).toBe('R3');
    t.s.setPrograms(mk(3));
    expect(t.mode('opModFixedW')).toBeDefined();
    t.clock.advance(61_000);
    expect(t.mode('opModFixedW')).toBeUndefined();
    expect(t.statuses('R3')).toEqual([1, 2, 6]);
  });

  it('server-side superseded status (4) gives response 7', () => {
    const t = setup([{ href: '/p', primacy: 1, controls: [ev('S', 60, 60, { opModFixedW: 1 }, { EventStatus: { currentStatus: 4, dateTime: T0, potentiallySuperseded: true } })] }]);
    expect(t.statuses('S')).toEqual([1, 7]);
  });

  it('rejects events already over (254) and events with no applicable mode (252)', () => {
    const t = setup([{ href: '/p', primacy: 1, controls: [ev('LATE', -600, 60, { opModFixedW: 1 }), ev('NA', 0, 60, { opModVoltVar: { href: '/c' } })] }]);
    expect(t.statuses('LATE')).toEqual([1, 254]);
    expect(t.statuses('NA')).toEqual([1, 252]);
  });

  it('responseRequired 00 sends nothing, 01 only received', () => {
    const t = setup([{ href: '/p', primacy: 1, controls: [ev('Q', 0, 60, { opModFixedW: 1 }, { responseRequired: '00' }), ev('R', 0, 60, { opModEnergize: true }, { responseRequired: '01' })] }]);
    t.clock.advance(120_000);
    expect(t.statuses('Q')).toEqual([]);
    expect(t.statuses('R')).toEqual([1]);
  });

  it('randomizeStart / randomizeDuration are drawn once and bounded', () => {
    for (const [r, rnd] of [[600, 0.999], [-600, 0.999], [600, 0], [9999, 0.999]] as const) {
      const d = drawRandomization(r, () => rnd);
      expect(Math.abs(d)).toBeLessThanOrEqual(Math.min(3600, Math.abs(r)));
      expect(Math.sign(d) === 0 || Math.sign(d) === Math.sign(r)).toBe(true);
    }
    let calls = 0;
    const t = setup([{ href: '/p', primacy: 1, controls: [ev('RZ', 0, 600, { opModFixedW: 1 }, { randomizeStart: 120, randomizeDuration: 60 })] }], () => (calls++, 0.5));
    t.s.setPrograms(t.s['programs']);
    t.s.setPrograms(t.s['programs']);
    expect(calls).toBe(2);
    expect(t.s.effectiveInterval('RZ')).toEqual({ start: (T0 + 60) * 1000, end: (T0 + 60 + 630) * 1000 });
    t.clock.advance(59_000);
    expect(t.mode('opModFixedW')).toBeUndefined();
    t.clock.advance(2000);
    expect(t.mode('opModFixedW')!.mRID).toBe('RZ');
  });

  it('server clock offset shifts start, and intents carry local time', () => {
    const t = setup([{ href: '/p', primacy: 1, controls: [ev('O', 300, 60, { opModFixedW: 5000 })] }]);
    t.s.setServerOffset(300_000); // server is 5 minutes ahead
    expect(t.mode('opModFixedW')!.mRID).toBe('O');
    const intents = controlsToIntents(t.s.state().controls, { device: 'bat', sourceClass: 'dso', ratings: { maxW: 5000, maxChargeRateW: 4000, maxDischargeRateW: 5000 }, serverOffsetMs: 300_000 });
    expect(intents).toEqual([
      expect.objectContaining({ id: 'O:opModFixedW', target: { device: 'bat', name: 'WSet' }, value: 2500, validFrom: (T0 + 300) * 1000 - 300_000, validTo: (T0 + 360) * 1000 - 300_000, priority: 1 }),
    ]);
  });

  it('a wall-clock step is noticed within maxWait (timers are bounded)', () => {
    const t = setup([{ href: '/p', primacy: 1, controls: [ev('J', 3600, 600, { opModFixedW: 1 })] }]);
    t.clock.jumpWall(3600_000);
    t.clock.advance(60_000);
    expect(t.mode('opModFixedW')!.mRID).toBe('J');
  });

  it('a newly scheduled event cuts the default short at its start (re-emitted)', () => {
    const changes: number[] = [];
    const clock = new FakeClock();
    const s = new DerControlScheduler({ clock, onChange: (st) => changes.push(st.controls[0]!.validTo) });
    s.setPrograms([{ href: '/p', primacy: 1, controls: [], defaultControl: dflt }]);
    s.setPrograms([{ href: '/p', primacy: 1, controls: [ev('N', 120, 60, { opModMaxLimW: 1 })], defaultControl: dflt }]);
    expect(changes.at(-1)).toBe((T0 + 120) * 1000);
    expect(changes.length).toBe(2);
  });

  it('defaults expire: every default control has a bounded validTo', () => {
    const t = setup([{ href: '/p', primacy: 1, controls: [], defaultControl: dflt }]);
    for (const c of t.s.state().controls) expect(c.validTo - t.s.serverNow()).toBeLessThanOrEqual(30 * 60_000);
    const first = t.s.state().controls[0]!.validTo;
    t.clock.advance(16 * 60_000);
    expect(t.s.state().controls[0]!.validTo).toBeGreaterThan(first);
  });
});

describe('controlsToIntents', () => {
  const ratings = { maxW: 5000, maxChargeRateW: 4000, maxDischargeRateW: 5000 };
  const base = { mRID: 'E', programHref: '/p', primacy: 1, isDefault: false, validFrom: 0, validTo: 1000 };
  it.each([
    ['opModFixedW', 10000, { name: 'WSet', value: 5000 }],
    ['opModFixedW', -5000, { name: 'WSet', value: -2000 }],
    ['opModMaxLimW', 4550, { name: 'WMaxLimPct', cap: 45.5 }],
    ['opModTargetW', { multiplier: 1, value: -250 }, { name: 'WSet', value: -2500 }],
    ['opModConnect', false, { name: 'Conn', value: false }],
    ['opModEnergize', true, { name: 'x_Energize', value: true }],
    ['opModGenLimW', { multiplier: 3, value: 2 }, { name: 'WMax', cap: 2000 }],
    ['opModLoadLimW', { multiplier: 0, value: 1500 }, { name: 'WChaMax', cap: 1500 }],
    ['rampTms', 250, { name: 'WMaxLimPct_RmpTms', value: 2.5 }],
  ] as const)('%s %j', (mode, value, want) => {
    const [i] = controlsToIntents([{ ...base, mode, value } as never], { device: 'bat', sourceClass: 'dso', ratings, serverOffsetMs: 0 });
    expect(i!.target.name).toBe(want.name);
    if ('value' in want) expect(i!.value).toBe(want.value);
    if ('cap' in want) expect(i!.cap).toBe(want.cap);
    expect(i!.validTo).toBe(1000);
  });
  it('mapping overrides redirect a mode to another device/name', () => {
    const [i] = controlsToIntents([{ ...base, mode: 'opModConnect', value: true }], { device: 'bat', sourceClass: 'dso', ratings, serverOffsetMs: 0, overrides: { opModConnect: { device: 'sw1', name: 'PosSet' } } });
    expect(i!.target).toEqual({ device: 'sw1', name: 'PosSet' });
  });
});
