import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { SapcSession, SapcTimeoutError, type Reply, type SessionHandler } from './session.js';
import { createLinePair, type LineDirection } from './loopback.js';
import { decodeText, wrapBody, type SapcCommand } from './frame.js';

const T0 = Date.UTC(2026, 0, 1);
function cmd(over: Partial<SapcCommand> = {}): SapcCommand {
  return { slot: 1, direction: 'import', level: 40, source: 'load_controller', validTo: T0 + 3600_000, randomDelayS: 0, randomised: false, eventId: 'E1', timestamp: T0, ...over };
}

function rig(handler: SessionHandler, fault?: (dir: LineDirection, text: string) => string | null) {
  const clock = new FakeClock(T0);
  const line = createLinePair({ clock, baud: 9600, ...(fault ? { fault } : {}) });
  const meter = new SapcSession({ clock, write: line.a.write });
  const appliance = new SapcSession({ clock, write: line.b.write, handler });
  line.a.onData((c) => meter.receive(c));
  line.b.onData((c) => appliance.receive(c));
  return { clock, meter, appliance };
}

async function settle<T>(clock: FakeClock, p: Promise<T>, ms = 5000): Promise<T> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  p.then((v) => ((done = true), (value = v)), (e: unknown) => ((done = true), (error = e)));
  for (let t = 0; t < ms && !done; t += 10) {
    clock.advance(10);
    await Promise.resolve();
  }
  if (error) throw error;
  return value as T;
}

describe('SapcSession', () => {
  it('sends a command and gets an ACK within 500 ms, applying it once', async () => {
    const applied: SapcCommand[] = [];
    const { clock, meter } = rig({ onCommand: (c) => (applied.push(c), { ok: true }) });
    const r = await settle(clock, meter.request({ type: 'CMD', command: cmd() }));
    expect(r.type).toBe('ACK');
    expect(r.attempts).toBe(1);
    expect(r.elapsedMs).toBeLessThan(500);
    expect(applied).toHaveLength(1);
  });

  it('retries 3 times after missed ACKs; the duplicate is answered but applied once', async () => {
    const applied: SapcCommand[] = [];
    let dropAcks = 2;
    const { clock, meter, appliance } = rig({ onCommand: (c) => (applied.push(c), { ok: true }) }, (dir, t) => (dir === 'b>a' && t.includes(',ACK,') && dropAcks-- > 0 ? null : t));
    const r = await settle(clock, meter.request({ type: 'CMD', command: cmd() }));
    expect(r).toMatchObject({ type: 'ACK', attempts: 3 });
    expect(applied).toHaveLength(1);
    expect(appliance.stats.duplicates).toBe(2);
    expect(meter.stats.retries).toBe(2);
  });

  it('fails with a timeout after 1 + 3 attempts', async () => {
    const { clock, meter } = rig({ onCommand: () => ({ ok: true }) }, (dir, t) => (dir === 'a>b' ? null : t));
    const p = meter.request({ type: 'CMD', command: cmd() });
    await expect(settle(clock, p)).rejects.toBeInstanceOf(SapcTimeoutError);
    expect(meter.stats).toMatchObject({ timeouts: 1, retries: 3 });
  });

  it('NAKs with reasons and applies nothing', async () => {
    const applied: SapcCommand[] = [];
    const { clock, meter } = rig({ onCommand: (c) => (applied.push(c), { ok: true }) });
    const cases: Array<[Partial<SapcCommand>, string]> = [
      [{ validTo: T0 + 49 * 3600_000 }, 'WINDOW_TOO_LONG'],
      [{ validFrom: T0 - 7200_000, validTo: T0 - 3600_000 }, 'WINDOW_PAST'],
      [{ level: 101 }, 'LEVEL_RANGE'],
    ];
    for (const [over, reason] of cases) {
      const r = await settle(clock, meter.request({ type: 'CMD', command: cmd(over) }));
      expect(r).toMatchObject({ type: 'NAK', reason });
    }
    expect(applied).toHaveLength(0);
  });

  it('NAKs an unknown source sent as raw bytes, with the same SEQ', async () => {
    const clock = new FakeClock(T0);
    const out: string[] = [];
    const s = new SapcSession({ clock, write: (t) => out.push(t), handler: { onCommand: () => ({ ok: true }) } });
    s.receive(wrapBody('1,CMD,77,slot=1,dir=IMP,lvl=10,src=ZZ,to=20260101T010000Z,evt=x,ts=20260101T000000Z'));
    expect(decodeText(out[0]!)).toMatchObject({ type: 'NAK', seq: 77, reason: 'UNKNOWN_SOURCE', field: 'src' });
  });

  it('drops bad CRC silently and counts it; garbage keeps the line alive', () => {
    const clock = new FakeClock(T0);
    const out: string[] = [];
    const s = new SapcSession({ clock, write: (t) => out.push(t), handler: { onCommand: () => ({ ok: true }) } });
    s.receive('garbage$1,STQ,1,slot=1*0000\r\n');
    expect(out).toHaveLength(0);
    expect(s.stats).toMatchObject({ badCrc: 1, junkBytes: 7 });
  });

  it('passes handler rejections through as NAK REJECTED', async () => {
    const { clock, meter } = rig({ onCommand: () => ({ ok: false, reason: 'SLOT', text: 'slot 1 not configured' }) });
    const r: Reply = await settle(clock, meter.request({ type: 'CMD', command: cmd() }));
    expect(r).toMatchObject({ type: 'NAK', reason: 'SLOT', text: 'slot 1 not configured' });
  });

  it('answers a status request with STA', async () => {
    const { clock, meter } = rig({ onStatusRequest: (slot) => ({ slot: slot ?? 1, direction: 'import', level: 70, source: 'local' }) });
    expect(await settle(clock, meter.request({ type: 'STQ', slot: 2 }))).toMatchObject({ type: 'STA', slot: 2, level: 70 });
  });

  it('serialises concurrent requests', async () => {
    const seen: number[] = [];
    const { clock, meter } = rig({ onCommand: (c) => (seen.push(c.level), { ok: true }) });
    const ps = [10, 20, 30].map((level) => meter.request({ type: 'CMD', command: cmd({ level, eventId: `E${level}` }) }));
    await settle(clock, Promise.all(ps));
    expect(seen).toEqual([10, 20, 30]);
  });

  it('sends heartbeats every 60 s and marks the link down after 3 missed', () => {
    const clock = new FakeClock(T0);
    const out: string[] = [];
    const links: string[] = [];
    const s = new SapcSession({ clock, write: (t) => out.push(t) });
    s.on('link', (l) => links.push(l));
    clock.advance(60_000);
    expect(out.map((t) => decodeText(t).type)).toEqual(['HB']);
    s.receive(out[0]!);
    expect(links).toEqual(['up']);
    clock.advance(180_000);
    expect(links).toEqual(['up', 'down']);
    expect(out).toHaveLength(4);
    s.close();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('on an echoing line, ignores its own frames', async () => {
    const clock = new FakeClock(T0);
    const applied: SapcCommand[] = [];
    const line = createLinePair({ clock, baud: 9600 });
    // Each end hears everything on the bus: its own bytes and the other end's.
    const meter = new SapcSession({ clock, write: (t) => (line.a.write(t), clock.setTimeout(() => meter.receive(t), 1)), echo: true });
    const appliance = new SapcSession({ clock, write: (t) => (line.b.write(t), clock.setTimeout(() => appliance.receive(t), 1)), echo: true, handler: { onCommand: (c) => (applied.push(c), { ok: true }) } });
    line.a.onData((c) => meter.receive(c));
    line.b.onData((c) => appliance.receive(c));
    const r = await settle(clock, meter.request({ type: 'CMD', command: cmd() }));
    expect(r.type).toBe('ACK');
    expect(applied).toHaveLength(1);
    expect(meter.stats.echoes).toBe(1);
    expect(meter.stats.naksSent + appliance.stats.naksSent).toBe(0);
  });

  it('drops a partial frame after inter-character silence', () => {
    const clock = new FakeClock(T0);
    const s = new SapcSession({ clock, write: () => {}, sendHeartbeats: false });
    s.receive('$1,STQ,1');
    clock.advance(1000);
    expect(s.stats.truncated).toBe(1);
  });
});
