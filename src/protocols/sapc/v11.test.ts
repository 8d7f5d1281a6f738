/** SSP-1 version 1.1 additions: emergency source, appliance plans (PLN), 48 h windows, random first SEQ. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { Arbiter } from '../../core/arbitration/arbiter.js';
import { SapcSession, type Reply } from './session.js';
import { SapcReceiver } from './receiver.js';
import { createLinePair } from './loopback.js';
import { buildCommand } from './client.js';
import { decodeText, encodeFrame, FieldError, wrapBody, type PlanStep } from './frame.js';
import { planParts, PlanCollector, type AppliancePlan } from './plan.js';

const T0 = Date.UTC(2026, 0, 1);

async function settle<T>(clock: FakeClock, p: Promise<T>): Promise<T> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 2000 && !done; i++) {
    clock.advance(10);
    await Promise.resolve();
  }
  return p;
}

function pair(handler?: ConstructorParameters<typeof SapcReceiver>[1]) {
  const clock = new FakeClock(T0);
  const line = createLinePair({ clock, baud: 9600 });
  const arbiter = new Arbiter({ clock });
  const receiver = new SapcReceiver(arbiter, handler ?? [{ slot: 1, direction: 'import', device: 'ev1', sources: ['supplier'] }], clock);
  const meter = new SapcSession({ clock, write: line.a.write, sendHeartbeats: false });
  const appliance = new SapcSession({ clock, write: line.b.write, handler: receiver, sendHeartbeats: false });
  line.a.onData((c) => meter.receive(c));
  line.b.onData((c) => appliance.receive(c));
  return { clock, arbiter, meter, appliance, target: { device: 'ev1', name: 'SAPCLevel' } };
}

describe('emergency source (EMG)', () => {
  it('is accepted even on a slot that lists other sources only, as a safety cap that binds over every setpoint', async () => {
    const { clock, arbiter, meter, target } = pair();
    const cmd = (level: number, source: 'supplier' | 'emergency' | 'load_controller', eventId: string) => settle(clock, meter.request({ type: 'CMD', command: buildCommand({ level, forMs: 3600_000, source, eventId, randomDelayS: 600 }, clock.now()) }));
    expect(await cmd(70, 'supplier', 's1')).toMatchObject({ type: 'ACK', state: 'scheduled' }); // random delay pending
    clock.advance(600_000);
    expect(await cmd(20, 'load_controller', 'l1')).toMatchObject({ type: 'NAK', reason: 'REJECTED', field: 'src' });
    const emg = await cmd(0, 'emergency', 'cte');
    // Never randomly delayed, whatever rnd says: applied at once.
    expect(emg).toMatchObject({ type: 'ACK', state: 'applied', eventId: 'cte' });
    expect(arbiter.list().find((i) => i.id === 'cte')).toMatchObject({ sourceClass: 'safety', cap: 0, randomised: true, source: 'sapc:slot1:emergency' });
    expect(arbiter.effective(target)).toMatchObject({ value: 0 });
    const sta = await settle(clock, meter.request({ type: 'STQ', slot: 1 }));
    expect(sta).toMatchObject({ type: 'STA', level: 0, source: 'emergency', eventId: 'cte' });
    expect(await settle(clock, meter.request({ type: 'CAN', eventId: 'cte', source: 'emergency' }))).toMatchObject({ type: 'ACK', state: 'cancelled' });
    expect(arbiter.effective(target)).toMatchObject({ value: 70 });
  });

  it('goes ahead of requests already queued on the line', async () => {
    const clock = new FakeClock(T0);
    const sent: string[] = [];
    const meter = new SapcSession({ clock, write: (t) => sent.push(t), sendHeartbeats: false, retries: 0, ackTimeoutMs: 100 });
    const cmd = (source: 'supplier' | 'emergency', eventId: string) => meter.request({ type: 'CMD', command: buildCommand({ level: 10, forMs: 60_000, source, eventId }, T0) }).catch(() => undefined);
    void cmd('supplier', 'a');
    void cmd('supplier', 'b');
    void cmd('emergency', 'e1');
    void cmd('emergency', 'e2');
    for (let i = 0; i < 10; i++) clock.advance(100);
    expect(sent.map((t) => /evt=([^,]+)/.exec(t)?.[1])).toEqual(['a', 'e1', 'e2', 'b']);
    meter.close();
  });
});

describe('48 h windows', () => {
  it('a 48 h command is accepted, 48 h + 1 s is NAKed WINDOW_TOO_LONG', async () => {
    const { clock, meter } = pair([{ slot: 1, direction: 'import', device: 'ev1' }]);
    const send = (forMs: number) => settle(clock, meter.request({ type: 'CMD', command: buildCommand({ level: 10, forMs, from: clock.now() }, clock.now()) }));
    expect(await send(48 * 3600_000)).toMatchObject({ type: 'ACK' });
    expect(await send(48 * 3600_000 + 1000)).toMatchObject({ type: 'NAK', reason: 'WINDOW_TOO_LONG', text: 'window longer than 48 h' });
  });
});

describe('appliance plans (PLN)', () => {
  const steps: PlanStep[] = Array.from({ length: 60 }, (_, i) => ({ offsetMin: i * 45, level: i % 2 ? 30 : 100 }));
  const plan: AppliancePlan = { slot: 1, direction: 'import', eventId: 'pl-1', validFrom: T0, validTo: T0 + 48 * 3600_000, steps, ratedW: 7400 };

  it('splits into parts that each fit one frame and reassemble in order', () => {
    const parts = planParts(plan, T0);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(encodeFrame({ type: 'PLN', seq: 65535, ...p }).length).toBeLessThanOrEqual(200);
    const got: AppliancePlan[] = [];
    const c = new PlanCollector((p) => got.push(p));
    for (const p of [...parts].reverse()) expect(c.onPlan(p)).toEqual({ ok: true, state: 'received' });
    expect(got).toEqual([plan]);
  });

  it('travels appliance → meter, each part ACKed received; a meter without plan support NAKs REJECTED', async () => {
    const clock = new FakeClock(T0);
    const line = createLinePair({ clock, baud: 9600 });
    const collector = new PlanCollector();
    const meter = new SapcSession({ clock, write: line.a.write, sendHeartbeats: false, handler: { onPlan: collector.onPlan } });
    const appliance = new SapcSession({ clock, write: line.b.write, sendHeartbeats: false });
    line.a.onData((c) => meter.receive(c));
    line.b.onData((c) => appliance.receive(c));
    const answers: Reply[] = [];
    for (const p of planParts(plan, T0)) answers.push(await settle(clock, appliance.request({ type: 'PLN', ...p })));
    expect(answers.every((a) => a.type === 'ACK' && a.state === 'received' && a.eventId === 'pl-1')).toBe(true);
    expect(collector.plans).toEqual([plan]);
    meter.setHandler({});
    expect(await settle(clock, appliance.request({ type: 'PLN', ...planParts(plan, T0)[0]! }))).toMatchObject({ type: 'NAK', reason: 'REJECTED' });
    const long = { ...planParts(plan, T0)[0]!, validTo: T0 + 49 * 3600_000 };
    expect(await settle(clock, appliance.request({ type: 'PLN', ...long }))).toMatchObject({ type: 'NAK', reason: 'WINDOW_TOO_LONG' });
  });

  it('refuses malformed steps with the field named', () => {
    const body = (stp: string) => `1,PLN,3,slot=1,dir=IMP,evt=p,part=1/1,from=20260101T000000Z,to=20260101T020000Z,stp=${stp},ts=20260101T000000Z`;
    const err = (stp: string) => {
      try {
        decodeText(wrapBody(body(stp)));
      } catch (e) {
        return e as FieldError;
      }
      throw new Error('accepted');
    };
    expect(decodeText(wrapBody(body('0:100;60:0')))).toMatchObject({ type: 'PLN', steps: [{ offsetMin: 0, level: 100 }, { offsetMin: 60, level: 0 }] });
    expect(err('0:100;0:50')).toMatchObject({ nak: 'BAD_FIELD', field: 'stp' });
    expect(err('0:101')).toMatchObject({ nak: 'LEVEL_RANGE', field: 'stp' });
    expect(err('120:10')).toMatchObject({ nak: 'BAD_FIELD', field: 'stp' }); // not before the plan end
    expect(err('x')).toMatchObject({ nak: 'BAD_FIELD', field: 'stp' });
    expect(() => decodeText(wrapBody(body('0:1').replace('part=1/1', 'part=2/1')))).toThrow(/part/);
  });
});

describe('first SEQ', () => {
  it('starts where told and wraps', () => {
    const sent: string[] = [];
    const s = new SapcSession({ clock: new FakeClock(T0), write: (t) => sent.push(t), sendHeartbeats: false });
    const r = new SapcSession({ clock: new FakeClock(T0), write: (t) => sent.push(t), sendHeartbeats: false, firstSeq: 65535 });
    s.heartbeat();
    r.heartbeat();
    r.heartbeat();
    expect(sent.map((t) => t.split(',')[2])).toEqual(['1', '65535', '0']);
  });
});

describe('§11: a NAK reason from a later revision', () => {
  it('is read as a refusal (REJECTED) with the reason as sent, not as a malformed frame', () => {
    const f = decodeText(wrapBody('1,NAK,7,rsn=QUOTA_EXCEEDED,txt=daily quota'));
    expect(f).toMatchObject({ type: 'NAK', seq: 7, reason: 'REJECTED', unknownReason: 'QUOTA_EXCEEDED', text: 'daily quota' });
    expect(decodeText(wrapBody('1,NAK,7,rsn=LEVEL_RANGE'))).not.toHaveProperty('unknownReason');
  });
  it('a reason that is not a reason code at all is still a field error naming rsn', () => {
    let err: unknown;
    try {
      decodeText(wrapBody('1,NAK,7,rsn=lower_case'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FieldError);
    expect((err as FieldError).field).toBe('rsn');
  });
});
