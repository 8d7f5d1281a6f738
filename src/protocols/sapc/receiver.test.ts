import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { Arbiter } from '../../core/arbitration/arbiter.js';
import { SapcSession } from './session.js';
import { SapcReceiver } from './receiver.js';
import { createLinePair } from './loopback.js';
import { buildCommand, parseDuration } from './client.js';
import { sapcMappingSchema } from './mapping.js';

const T0 = Date.UTC(2026, 0, 1);
async function settle<T>(clock: FakeClock, p: Promise<T>): Promise<T> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 500 && !done; i++) {
    clock.advance(10);
    await Promise.resolve();
  }
  return p;
}

function rig(random = () => 0.5) {
  const clock = new FakeClock(T0);
  const line = createLinePair({ clock, baud: 9600 });
  const arbiter = new Arbiter({ clock, random });
  const receiver = new SapcReceiver(arbiter, [{ slot: 1, direction: 'import', device: 'ev1', sources: ['load_controller', 'supplier'] }], clock);
  const meter = new SapcSession({ clock, write: line.a.write });
  const appliance = new SapcSession({ clock, write: line.b.write, handler: receiver });
  line.a.onData((c) => meter.receive(c));
  line.b.onData((c) => appliance.receive(c));
  const target = { device: 'ev1', name: 'SAPCLevel' };
  return { clock, arbiter, receiver, meter, appliance, target };
}

describe('SapcReceiver through the arbiter', () => {
  it('applies a load-controller limit and falls back to the default at expiry', async () => {
    const { clock, arbiter, meter, target } = rig();
    const r = await settle(clock, meter.request({ type: 'CMD', command: buildCommand({ level: 30, forMs: 60_000, eventId: 'A' }, clock.now()) }));
    expect(r).toMatchObject({ type: 'ACK', state: 'applied', eventId: 'A' });
    expect(arbiter.effective(target)).toMatchObject({ value: 30, basis: 'cap', sourceClass: 'load_controller' });
    clock.advance(60_000);
    expect(arbiter.effective(target)).toMatchObject({ value: 100, basis: 'default' });
  });

  it('same event resent under a new SEQ is acknowledged as duplicate and applied once', async () => {
    const { clock, arbiter, meter, receiver } = rig();
    const c = buildCommand({ level: 30, forMs: 60_000, eventId: 'D' }, clock.now());
    await settle(clock, meter.request({ type: 'CMD', command: c }));
    const r = await settle(clock, meter.request({ type: 'CMD', command: c }));
    expect(r).toMatchObject({ type: 'ACK', state: 'duplicate' });
    expect(arbiter.audit.filter((a) => a.action === 'submit')).toHaveLength(1);
    expect(receiver.decisions).toHaveLength(2);
  });

  it('random delay: drawn once by the arbiter, not at all when already randomised', async () => {
    const { clock, arbiter, meter, target } = rig(() => 0.5);
    const r = await settle(clock, meter.request({ type: 'CMD', command: buildCommand({ level: 20, forMs: 600_000, eventId: 'R', randomDelayS: 60, source: 'supplier' }, clock.now()) }));
    expect(r).toMatchObject({ type: 'ACK', state: 'scheduled' });
    expect(arbiter.effective(target).value).toBe(100);
    clock.advance(30_000);
    expect(arbiter.effective(target).value).toBe(20);
    const z = await settle(clock, meter.request({ type: 'CMD', command: buildCommand({ level: 10, forMs: 600_000, eventId: 'Z', randomDelayS: 60, randomised: true }, clock.now()) }));
    expect(z).toMatchObject({ state: 'applied' });
  });

  it('NAKs unconfigured slots and sources not accepted on the slot; state unchanged', async () => {
    const { clock, arbiter, meter, target } = rig();
    expect(await settle(clock, meter.request({ type: 'CMD', command: buildCommand({ level: 5, forMs: 60_000, slot: 2 }, clock.now()) }))).toMatchObject({ type: 'NAK', reason: 'SLOT' });
    expect(await settle(clock, meter.request({ type: 'CMD', command: buildCommand({ level: 5, forMs: 60_000, source: 'aggregator' }, clock.now()) }))).toMatchObject({ type: 'NAK', reason: 'REJECTED' });
    expect(arbiter.effective(target).value).toBe(100);
  });

  it('status request and cancel', async () => {
    const { clock, arbiter, meter, target } = rig();
    await settle(clock, meter.request({ type: 'CMD', command: buildCommand({ level: 45, forMs: 60_000, eventId: 'S' }, clock.now()) }));
    expect(await settle(clock, meter.request({ type: 'STQ', slot: 1 }))).toMatchObject({ type: 'STA', level: 45, source: 'load_controller', eventId: 'S' });
    expect(await settle(clock, meter.request({ type: 'CAN', eventId: 'S', source: 'load_controller' }))).toMatchObject({ type: 'ACK', state: 'cancelled' });
    expect(arbiter.effective(target).value).toBe(100);
    expect(await settle(clock, meter.request({ type: 'CAN', eventId: 'S', source: 'load_controller' }))).toMatchObject({ type: 'NAK', reason: 'NOT_FOUND' });
  });
});

describe('helpers', () => {
  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('2h30m')).toBe(9_000_000);
    expect(parseDuration('15')).toBe(15_000);
    expect(parseDuration('5x')).toBeUndefined();
  });
  it('mapping block: defaults, and duplicate slots refused with a path', () => {
    const m = sapcMappingSchema.parse({ port: { path: '/dev/ttyUSB0' }, slots: [{ slot: 1, device: 'ev1' }] });
    expect(m).toMatchObject({ role: 'appliance', ackTimeoutMs: 500, retries: 3, port: { baudRate: 9600, parity: 'none' }, slots: [{ point: 'SAPCLevel', default: 100, direction: 'import' }] });
    const bad = sapcMappingSchema.safeParse({ port: { path: 'x' }, slots: [{ slot: 1, device: 'a' }, { slot: 1, device: 'b' }] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['slots', 1, 'slot']);
  });
});

describe('SlotDispatcher', () => {
  it('routes by slot and NAKs unknown slots', async () => {
    const { SlotDispatcher } = await import('./receiver.js');
    const clock = new FakeClock(T0);
    const arbiter = new Arbiter({ clock });
    const d = new SlotDispatcher();
    d.add(new SapcReceiver(arbiter, [{ slot: 1, direction: 'import', device: 'ev1' }], clock));
    d.add(new SapcReceiver(arbiter, [{ slot: 2, direction: 'import', device: 'hp1' }], clock));
    expect(d.onCommand(buildCommand({ level: 20, forMs: 60_000, slot: 2, eventId: 'h' }, T0))).toMatchObject({ ok: true });
    expect(arbiter.effective({ device: 'hp1', name: 'SAPCLevel' }).value).toBe(20);
    expect(arbiter.effective({ device: 'ev1', name: 'SAPCLevel' }).value).toBe(100);
    expect(d.onCommand(buildCommand({ level: 20, forMs: 60_000, slot: 3 }, T0))).toMatchObject({ ok: false, reason: 'SLOT' });
    expect(d.onStatusRequest(2)).toMatchObject({ slot: 2, level: 20 });
    expect(d.onCancel('h', 'load_controller', undefined)).toMatchObject({ ok: true });
    expect(d.onCancel('h', 'load_controller', undefined)).toMatchObject({ ok: false, reason: 'NOT_FOUND' });
  });
});
