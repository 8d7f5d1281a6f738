/**
 * Acknowledgement notification of the controlled station: which queued events the controlling station's N(R)
 * confirmed (S frame or I frame), across the 15-bit wrap of the sequence numbers, and what happens to the
 * unconfirmed ones when the connection is lost (sent again, with their tokens, on the next started connection).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { decodeApdu, encodeIFrame, encodeSFrame, encodeUFrame, type Apci } from '../../src/protocols/iec104/apci.js';
import { encodeAsdu, type Asdu } from '../../src/protocols/iec104/asdu.js';
import { LinkLayer } from '../../src/protocols/iec104/link.js';
import { Iec104Server, type EventTokens } from '../../src/protocols/iec104/server.js';
import { FakeScada } from './fake-scada.js';

const spont = (ioa: number): Asdu => ({ typeId: 13, cot: 3, ca: 1, objects: [{ ioa, value: ioa }] });

function controlled(k = 12) {
  const clock = new FakeClock();
  const out: Apci[] = [];
  const acks: unknown[][] = [];
  const closed: string[] = [];
  const link = new LinkLayer(
    'controlled',
    { write: (f) => out.push(decodeApdu(f).apci), asdu: () => undefined, closed: (r) => closed.push(r), acked: (tags) => acks.push(tags) },
    clock,
    { k, w: Math.min(8, k) },
  );
  link.receive(encodeUFrame('STARTDT_ACT'));
  return { clock, out, acks, closed, link };
}

describe('link layer: acknowledged tags', () => {
  it('an S frame covering several I frames confirms their tags in order; untagged frames are skipped', () => {
    const s = controlled();
    s.link.sendAsdu(spont(1), 'a');
    s.link.sendAsdu(spont(2)); // an interrogation answer, say: no tag
    s.link.sendAsdu(spont(3), 'c');
    s.link.sendAsdu(spont(4), 'd');
    s.link.receive(encodeSFrame(3));
    expect(s.acks).toEqual([['a', 'c']]);
    s.link.receive(encodeSFrame(3)); // the same N(R) again confirms nothing new
    expect(s.acks).toEqual([['a', 'c']]);
    expect(s.link.pending().map((p) => p.tag)).toEqual(['d']);
  });

  it('an I frame from the controlling station confirms through its N(R)', () => {
    const s = controlled();
    for (let i = 0; i < 5; i++) s.link.sendAsdu(spont(i), i);
    s.link.receive(encodeIFrame(0, 4, encodeAsdu({ typeId: 100, cot: 6, ca: 1, objects: [{ ioa: 0, qualifier: 20 }] })));
    expect(s.acks).toEqual([[0, 1, 2, 3]]);
    expect(s.link.inFlight).toBe(1);
  });

  it('maps acknowledgements across the wrap from 32767 to 0, one N(R) covering frames on both sides', () => {
    const s = controlled();
    // Bring V(S) to 32762 with untagged frames, each acknowledged.
    for (let i = 0; i < 32762; i++) {
      s.link.sendAsdu(spont(1));
      s.link.receive(encodeSFrame((i + 1) % 32768));
    }
    expect(s.acks).toEqual([]);
    expect(s.link.sequence.vs).toBe(32762);
    for (let i = 0; i < 12; i++) s.link.sendAsdu(spont(i), `t${i}`); // N(S) 32762..32767, 0..5
    const ns = s.out.filter((a) => a.format === 'I').slice(-12).map((a) => (a.format === 'I' ? a.ns : -1));
    expect(ns).toEqual([32762, 32763, 32764, 32765, 32766, 32767, 0, 1, 2, 3, 4, 5]);
    s.link.receive(encodeSFrame(32765)); // 32762..32764
    s.link.receive(encodeSFrame(2)); // 32765..32767, 0, 1
    s.link.receive(encodeSFrame(6)); // 2..5
    expect(s.acks).toEqual([
      ['t0', 't1', 't2'],
      ['t3', 't4', 't5', 't6', 't7'],
      ['t8', 't9', 't10', 't11'],
    ]);
    expect(s.closed).toEqual([]);
  });

  it('an N(R) beyond what was sent confirms nothing and closes the link', () => {
    const s = controlled();
    s.link.sendAsdu(spont(1), 'a');
    s.link.receive(encodeSFrame(2));
    expect(s.acks).toEqual([]);
    expect(s.closed[0]).toMatch(/sequence error/);
    expect(s.link.pending().map((p) => p.tag)).toEqual(['a']);
  });
});

describe('controlled station: acknowledgement events and re-sending after a lost connection', () => {
  let server: Iec104Server | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('emits the tokens SCADA confirmed; unconfirmed events go to the next connection and are confirmed there', async () => {
    server = new Iec104Server({ commonAddresses: [1], link: { k: 12, w: 8 } });
    const acked: unknown[] = [];
    server.on('acked', (e: EventTokens) => acked.push(...e.tokens));
    const { port } = await server.listen();
    const first = await FakeScada.start(port);
    for (let i = 1; i <= 5; i++) server.broadcastEvent(spont(100 + i), `e${i}`);
    await first.until(() => first.events().length === 5);
    // End of initialization went first (N(S) 0): one S frame confirms it and the first three events.
    expect(first.events().map(([ns]) => ns)).toEqual([1, 2, 3, 4, 5]);
    first.ackS(4);
    await waitUntil(() => acked.length === 3);
    expect(acked).toEqual(['e1', 'e2', 'e3']);
    // SCADA stops acknowledging; the connection is lost with e4, e5 unconfirmed; e6 arrives meanwhile.
    first.drop();
    await waitUntil(() => server!.connections().length === 0);
    server.broadcastEvent(spont(106), 'e6');
    expect(server.bufferedEvents()).toBe(3);

    const second = await FakeScada.start(port);
    await second.until(() => second.events().length === 3);
    expect(second.events()).toEqual([
      [0, 104],
      [1, 105],
      [2, 106],
    ]);
    second.ackI(3); // an I frame's N(R) confirms the re-sent ones
    await waitUntil(() => acked.length === 6);
    expect(acked).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    second.drop();
  });

  it('reports tokens the bounded group buffer drops', () => {
    server = new Iec104Server({ commonAddresses: [1], eventBuffer: 2 });
    const dropped: unknown[] = [];
    server.on('dropped', (e: EventTokens) => dropped.push(...e.tokens));
    for (let i = 1; i <= 4; i++) server.broadcastEvent(spont(i), i);
    expect(dropped).toEqual([1, 2]);
    expect(server.bufferedEvents()).toBe(2);
  });
});

async function waitUntil(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
