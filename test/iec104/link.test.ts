import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { decodeApdu, encodeIFrame, encodeSFrame, encodeUFrame, type Apci } from '../../src/protocols/iec104/apci.js';
import { encodeAsdu, type Asdu } from '../../src/protocols/iec104/asdu.js';
import { LinkLayer, type LinkParameters, type LinkRole } from '../../src/protocols/iec104/link.js';

const spont = (ioa: number): Asdu => ({ typeId: 13, cot: 3, ca: 1, objects: [{ ioa, value: ioa }] });

/** One link layer facing a scripted peer: frames written by the link are recorded, the test plays the peer. */
function single(role: LinkRole, params: Partial<LinkParameters> = {}) {
  const clock = new FakeClock();
  const out: Apci[] = [];
  const got: Asdu[] = [];
  const closed: string[] = [];
  const states: boolean[] = [];
  const link = new LinkLayer(
    role,
    {
      write: (f) => out.push(decodeApdu(f).apci),
      asdu: (a) => got.push(a),
      closed: (r) => closed.push(r),
      state: (s) => states.push(s),
    },
    clock,
    params,
  );
  return { clock, out, got, closed, states, link };
}

/** A controlling station whose data transfer is started (STARTDT act sent, con received); nothing recorded yet. */
function started(params: Partial<LinkParameters> = {}) {
  const s = single('controlling', params);
  s.link.start();
  s.link.receive(encodeUFrame('STARTDT_CON'));
  s.out.length = 0;
  s.states.length = 0;
  return s;
}

/** Two link layers joined by an in-memory pipe that delivers in order without recursion. */
function pair(params: Partial<LinkParameters> = {}) {
  const clock = new FakeClock();
  const q: Array<[LinkLayer, Buffer]> = [];
  let pumping = false;
  const pump = () => {
    if (pumping) return;
    pumping = true;
    while (q.length) {
      const [to, f] = q.shift()!;
      to.receive(f);
    }
    pumping = false;
  };
  const rx: Asdu[] = [];
  const closed: string[] = [];
  const peer: { a?: LinkLayer; b?: LinkLayer } = {};
  const a = new LinkLayer('controlling', { write: (f) => (q.push([peer.b!, Buffer.from(f)]), pump()), asdu: (x) => rx.push(x), closed: (r) => closed.push(`a:${r}`) }, clock, params);
  const b = new LinkLayer('controlled', { write: (f) => (q.push([peer.a!, Buffer.from(f)]), pump()), asdu: () => undefined, closed: (r) => closed.push(`b:${r}`) }, clock, params);
  peer.a = a;
  peer.b = b;
  return { clock, a, b, rx, closed, pump };
}

const iFrame = (ns: number, nr: number) => encodeIFrame(ns, nr, encodeAsdu(spont(1)));

describe('STARTDT / STOPDT', () => {
  it('controlled station confirms STARTDT and only then sends I frames', () => {
    const s = single('controlled');
    s.link.sendAsdu(spont(1));
    expect(s.out).toEqual([]);
    s.link.receive(encodeUFrame('STARTDT_ACT'));
    expect(s.out.map((a) => a.format + ('fn' in a ? a.fn : ''))).toEqual(['USTARTDT_CON', 'I']);
    expect(s.states).toEqual([true]);
  });
  it('controlling station closes when STARTDT is not confirmed within t1', () => {
    const s = single('controlling', { t1: 15_000 });
    s.link.start();
    s.clock.advance(14_999);
    expect(s.closed).toEqual([]);
    s.clock.advance(1);
    expect(s.closed[0]).toMatch(/t1 expired: no confirmation of STARTDT_ACT/);
  });
  it('STOPDT is confirmed only after in-flight I frames are acknowledged', () => {
    const s = single('controlled');
    s.link.receive(encodeUFrame('STARTDT_ACT'));
    s.link.sendAsdu(spont(1));
    s.link.sendAsdu(spont(2));
    s.link.receive(encodeUFrame('STOPDT_ACT'));
    s.link.sendAsdu(spont(3));
    expect(s.out.filter((a) => a.format === 'U' && a.fn === 'STOPDT_CON')).toHaveLength(0);
    expect(s.out.filter((a) => a.format === 'I')).toHaveLength(2);
    s.link.receive(encodeSFrame(2));
    expect(s.out.at(-1)).toEqual({ format: 'U', fn: 'STOPDT_CON' });
    expect(s.link.started).toBe(false);
    expect(s.link.queued).toBe(1);
  });
});

describe('k and w windows', () => {
  it('stalls after k unacknowledged I frames and resumes on acknowledgement', () => {
    const s = single('controlled', { k: 12 });
    s.link.receive(encodeUFrame('STARTDT_ACT'));
    for (let i = 0; i < 20; i++) s.link.sendAsdu(spont(i));
    const sentI = () => s.out.filter((a) => a.format === 'I').length;
    expect(sentI()).toBe(12);
    expect(s.link.queued).toBe(8);
    s.link.receive(encodeSFrame(5));
    expect(sentI()).toBe(17);
    s.link.receive(encodeSFrame(17));
    expect(sentI()).toBe(20);
    expect(s.link.inFlight).toBe(3);
  });
  it('acknowledges with an S frame after w received I frames', () => {
    const s = started({ w: 8 });
    for (let i = 0; i < 8; i++) s.link.receive(iFrame(i, 0));
    expect(s.out).toEqual([{ format: 'S', nr: 8 }]);
    expect(s.got).toHaveLength(8);
  });
  it('a chunk of w or more I frames is acknowledged once, before its ASDUs are decoded and handed on', () => {
    const s = single('controlling', { w: 8 });
    const sAtDelivery: number[] = [];
    const link = new LinkLayer('controlling', { write: (f) => s.out.push(decodeApdu(f).apci), asdu: () => sAtDelivery.push(s.out.length), closed: () => undefined }, s.clock, { w: 8 });
    link.start();
    link.receive(encodeUFrame('STARTDT_CON'));
    s.out.length = 0;
    link.receive(Buffer.concat(Array.from({ length: 12 }, (_, i) => iFrame(i, 0))));
    expect(s.out).toEqual([{ format: 'S', nr: 12 }]);
    expect(sAtDelivery).toEqual(Array(12).fill(1));
  });
  it('frames before a protocol error in the same chunk are still delivered, then the link closes', () => {
    const s = started();
    s.link.receive(Buffer.concat([iFrame(0, 0), iFrame(1, 0), iFrame(5, 0)]));
    expect(s.got).toHaveLength(2);
    expect(s.closed).toEqual(['sequence error: received N(S)=5, expected 2']);
  });
  it('acknowledges fewer than w frames after t2', () => {
    const s = started({ t2: 10_000 });
    s.link.receive(iFrame(0, 0));
    s.clock.advance(3_000);
    s.link.receive(iFrame(1, 0));
    s.link.receive(iFrame(2, 0));
    s.clock.advance(6_999);
    expect(s.out).toEqual([]);
    s.clock.advance(1);
    expect(s.out).toEqual([{ format: 'S', nr: 3 }]);
    s.clock.advance(20_000);
    expect(s.out.filter((a) => a.format === 'S')).toHaveLength(1);
  });
});

describe('timeouts', () => {
  it('closes when sent I frames are not acknowledged within t1', () => {
    const s = single('controlled', { t1: 15_000 });
    s.link.receive(encodeUFrame('STARTDT_ACT'));
    s.link.sendAsdu(spont(1));
    s.clock.advance(10_000);
    s.link.sendAsdu(spont(2));
    s.link.receive(encodeSFrame(1)); // first acknowledged: t1 now runs from the second
    s.clock.advance(14_999);
    expect(s.closed).toEqual([]);
    s.clock.advance(1);
    expect(s.closed[0]).toMatch(/t1 expired: I frame N\(S\)=1/);
    expect(s.link.pending().map((p) => (p.asdu as Asdu).objects[0]!.ioa)).toEqual([2]);
  });
  it('sends TESTFR act after t3 of silence, keeps the link while confirmed, closes after t1 without', () => {
    const s = single('controlling', { t3: 20_000, t1: 15_000 });
    s.clock.advance(20_000);
    expect(s.out).toEqual([{ format: 'U', fn: 'TESTFR_ACT' }]);
    s.link.receive(encodeUFrame('TESTFR_CON'));
    s.clock.advance(19_999);
    expect(s.out).toHaveLength(1);
    s.clock.advance(1);
    expect(s.out).toHaveLength(2);
    s.clock.advance(15_000);
    expect(s.closed[0]).toMatch(/t1 expired: no confirmation of TESTFR_ACT/);
  });
  it('answers TESTFR act with TESTFR con', () => {
    const s = single('controlled');
    s.link.receive(encodeUFrame('TESTFR_ACT'));
    expect(s.out).toEqual([{ format: 'U', fn: 'TESTFR_CON' }]);
  });
  it('timers follow the monotonic clock, not wall-clock jumps', () => {
    const s = single('controlling', { t3: 20_000 });
    s.clock.jumpWall(3_600_000);
    s.clock.advance(19_000);
    expect(s.out).toEqual([]);
  });
});

describe('sequence numbers', () => {
  it('closes on an unexpected N(S)', () => {
    const s = started();
    s.link.receive(iFrame(0, 0));
    s.link.receive(iFrame(2, 0));
    expect(s.closed[0]).toMatch(/sequence error: received N\(S\)=2, expected 1/);
  });
  it('closes on an N(R) acknowledging frames never sent', () => {
    const s = single('controlled');
    s.link.receive(encodeUFrame('STARTDT_ACT'));
    s.link.sendAsdu(spont(1));
    s.link.receive(encodeSFrame(2));
    expect(s.closed[0]).toMatch(/N\(R\)=2 outside 0..1/);
  });
  it('closes on a wrong start octet, ignoring the rest', () => {
    const s = single('controlled');
    s.link.receive(Buffer.from([0x67, 4, 7, 0, 0, 0]));
    expect(s.closed[0]).toMatch(/framing error: .*start octet/);
    s.link.receive(encodeUFrame('STARTDT_ACT'));
    expect(s.out).toEqual([]);
  });
  it('wraps from 32767 to 0 on both sides without loss', () => {
    const p = pair({ k: 12, w: 8 });
    p.a.start();
    const n = 32_768 + 100;
    for (let i = 0; i < n; i++) p.b.sendAsdu(spont(i % 1000));
    p.clock.advance(10_000); // t2 acknowledges the tail
    expect(p.closed).toEqual([]);
    expect(p.rx).toHaveLength(n);
    expect(p.b.sequence).toEqual({ vs: 100, vr: 0, ackBase: 100 });
    expect(p.a.sequence.vr).toBe(100);
    expect(p.b.inFlight).toBe(0);
  });
  it('accepts an N(R) that wraps past 32767', () => {
    const s = single('controlled', { k: 12 });
    s.link.receive(encodeUFrame('STARTDT_ACT'));
    for (let i = 0; i < 32_760; i++) {
      s.link.sendAsdu(spont(1));
      s.link.receive(encodeSFrame((i + 1) % 32768));
    }
    for (let i = 0; i < 12; i++) s.link.sendAsdu(spont(1));
    expect(s.link.sequence.vs).toBe(4);
    s.link.receive(encodeSFrame(2));
    expect(s.closed).toEqual([]);
    expect(s.link.inFlight).toBe(2);
  });

  it('controlled station: an I frame before STARTDT closes the link and is counted; after STARTDT it is taken', () => {
    const early = single('controlled');
    early.link.receive(encodeIFrame(0, 0, encodeAsdu(spont(1))));
    expect(early.closed).toEqual(['protocol error: I frame N(S)=0 received before STARTDT (data transfer not started)']);
    expect(early.link.stats.iBeforeStart).toBe(1);
    expect(early.got).toEqual([]);
    const ok = single('controlled');
    ok.link.receive(encodeUFrame('STARTDT_ACT'));
    ok.link.receive(encodeIFrame(0, 0, encodeAsdu(spont(1))));
    expect(ok.closed).toEqual([]);
    expect(ok.got).toHaveLength(1);
  });
  it('controlling station: an I frame before STARTDT con (or after STOPDT con) closes the link and is counted; after STARTDT con it is taken', () => {
    const early = single('controlling');
    early.link.start();
    early.link.receive(encodeIFrame(0, 0, encodeAsdu(spont(1))));
    expect(early.closed).toEqual(['protocol error: I frame N(S)=0 received before STARTDT con (data transfer not started)']);
    expect(early.link.stats.iBeforeStart).toBe(1);
    expect(early.got).toEqual([]);
    // STARTDT con and an I frame in one chunk: the con comes first on the wire, so the frame is taken.
    const ok = single('controlling');
    ok.link.start();
    ok.link.receive(Buffer.concat([encodeUFrame('STARTDT_CON'), encodeIFrame(0, 0, encodeAsdu(spont(1)))]));
    expect(ok.closed).toEqual([]);
    expect(ok.got).toHaveLength(1);
    ok.link.stop();
    ok.link.receive(encodeUFrame('STOPDT_CON'));
    expect(ok.states).toEqual([true, false]);
    ok.link.receive(encodeIFrame(1, 0, encodeAsdu(spont(2))));
    expect(ok.closed).toEqual(['protocol error: I frame N(S)=1 received before STARTDT con (data transfer not started)']);
    expect(ok.link.stats.iBeforeStart).toBe(1);
    expect(ok.got).toHaveLength(1);
  });
});

