/**
 * Robustness of the controlling station (client) against hostile or broken controlled stations: garbage, truncated
 * APDUs, wrong length octets, undecodable ASDUs, unexpected confirmations, a station that never acknowledges.
 * The link layer is fuzzed in memory (many cases, fake clock); the whole client over real sockets against a
 * scripted station (fewer cases: each is a TCP connection).
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { encodeIFrame, encodeSFrame, encodeUFrame, FrameReader } from '../../src/protocols/iec104/apci.js';
import { decodeFrame, encodeIAsdu } from '../../src/protocols/iec104/codec.js';
import { Iec104Client, type ClientOptions } from '../../src/protocols/iec104/client.js';
import { Cot, TypeId } from '../../src/protocols/iec104/constants.js';
import { LinkLayer } from '../../src/protocols/iec104/link.js';
import type { Asdu } from '../../src/protocols/iec104/asdu.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** What a broken station may put on the wire; `i` frames get consecutive N(S) so they pass the sequence check. */
type Piece =
  | { kind: 'i'; asdu: Uint8Array }
  | { kind: 'conTerm'; typeId: number; cot: number; negative: boolean }
  | { kind: 's'; nr: number }
  | { kind: 'u'; code: number }
  | { kind: 'badLength'; len: number }
  | { kind: 'truncated'; cut: number }
  | { kind: 'garbage'; bytes: Uint8Array };

const piece: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('i' as const), asdu: fc.uint8Array({ minLength: 0, maxLength: 249 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('conTerm' as const), typeId: fc.constantFrom(0, TypeId.C_IC_NA_1, TypeId.C_SC_NA_1, TypeId.M_ME_NC_1), cot: fc.integer({ min: 0, max: 63 }), negative: fc.boolean() }) },
  fc.record({ kind: fc.constant('s' as const), nr: fc.integer({ min: 0, max: 32767 }) }),
  fc.record({ kind: fc.constant('u' as const), code: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('badLength' as const), len: fc.constantFrom(0, 1, 2, 3, 5, 254, 255) }),
  fc.record({ kind: fc.constant('truncated' as const), cut: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
);

/** Render pieces to octets, split into chunks at the given cut points (TCP may deliver any split). */
function render(pieces: Piece[], cuts: number[], ns0 = 0): Buffer[] {
  let ns = ns0;
  const parts = pieces.map((p): Buffer => {
    switch (p.kind) {
      case 'i': {
        const asdu = Buffer.from(p.asdu.length >= 6 ? p.asdu : Buffer.concat([Buffer.from(p.asdu), Buffer.alloc(6 - p.asdu.length)]));
        return encodeIFrame(ns++, 0, asdu);
      }
      case 'conTerm': {
        const a: Asdu = { typeId: p.typeId, cot: p.cot, negative: p.negative, ca: 1, objects: p.typeId === 0 ? [] : [{ ioa: 0, qualifier: 20 }] };
        if (p.typeId === 0) Object.assign(a, { raw: Buffer.alloc(0), count: 0 });
        try {
          return encodeIAsdu(ns++, 0, a);
        } catch {
          ns--;
          return Buffer.alloc(0);
        }
      }
      case 's':
        return encodeSFrame(p.nr);
      case 'u':
        return Buffer.from([0x68, 4, p.code, 0, 0, 0]);
      case 'badLength':
        return Buffer.from([0x68, p.len, 0, 0, 0, 0]);
      case 'truncated':
        return encodeIFrame(ns, 0, Buffer.alloc(30)).subarray(0, p.cut);
      case 'garbage':
        return Buffer.from(p.bytes);
    }
  });
  const all = Buffer.concat(parts);
  const at = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const c of [...at, all.length]) {
    if (c > from) chunks.push(all.subarray(from, c));
    from = Math.max(from, c);
  }
  return chunks;
}

const KNOWN_CLOSE = /^(framing error|protocol error|sequence error|t1 expired)/;

describe('controlling station link under fuzzed input (in memory)', () => {
  it('never throws; closes only with a named protocol reason; passes on only decoded ASDUs (20 000 cases)', () => {
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(4000), { maxLength: 8 }), (pieces, cuts) => {
        const clock = new FakeClock();
        const closed: string[] = [];
        const got: Asdu[] = [];
        const link = new LinkLayer('controlling', { write: () => undefined, asdu: (a) => got.push(a), closed: (r) => closed.push(r), warn: () => undefined }, clock);
        link.start();
        link.receive(encodeUFrame('STARTDT_CON'));
        for (const chunk of render(pieces, cuts)) link.receive(chunk);
        clock.advance(60_000); // timers run without throwing, whatever state the link was left in
        expect(closed.length).toBeLessThanOrEqual(1);
        if (closed.length) expect(closed[0]).toMatch(KNOWN_CLOSE);
        for (const a of got) expect(typeof a.typeId).toBe('number');
      }),
      { numRuns: 20_000 },
    );
  });
});

/** A scripted controlled station on a real socket: answers STARTDT/TESTFR, hands I frames from the client to `onI`. */
async function scriptedStation(onI: (sock: Socket, a: Asdu, ns: { next: number }) => void, ackClient = true) {
  const socks = new Set<Socket>();
  const srv = createServer((sock) => {
    socks.add(sock);
    const reader = new FrameReader();
    const ns = { next: 0 };
    let vr = 0;
    sock.on('error', () => undefined);
    sock.on('close', () => socks.delete(sock));
    sock.on('data', (d) => {
      try {
        reader.push(d, (frame) => {
          const f = decodeFrame(frame);
          if (f.apci.format === 'U' && f.apci.fn === 'STARTDT_ACT') sock.write(encodeUFrame('STARTDT_CON'));
          if (f.apci.format === 'U' && f.apci.fn === 'TESTFR_ACT') sock.write(encodeUFrame('TESTFR_CON'));
          if (f.apci.format === 'I') {
            vr = (vr + 1) % 32768;
            if (ackClient) sock.write(encodeSFrame(vr));
            onI(sock, f.asdu!, ns);
          }
        });
      } catch {
        sock.destroy();
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => (socks.forEach((s) => s.destroy()), srv.close(() => r()))));
  return (srv.address() as AddressInfo).port;
}

function client(port: number, opts: Partial<ClientOptions> = {}) {
  const c = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }], reconnect: false, confirmTimeoutMs: 150, terminationTimeoutMs: 150, ...opts });
  cleanup.push(() => c.close());
  return c;
}

describe('controlling station against broken stations (real sockets)', () => {
  it('answers to a GI made of fuzzed octets: the request always resolves, the client never throws (60 cases)', async () => {
    let script: { chunks: Buffer[]; end: boolean } = { chunks: [], end: false };
    const port = await scriptedStation((sock, a) => {
      if (a.typeId !== TypeId.C_IC_NA_1) return;
      for (const c of script.chunks) sock.write(c);
      if (script.end) sock.end();
    });
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 10 }), fc.array(fc.nat(3000), { maxLength: 6 }), fc.boolean(), async (pieces, cuts, end) => {
        script = { chunks: render(pieces, cuts), end };
        const c = client(port);
        const warns: string[] = [];
        c.on('warn', (w: string) => warns.push(w));
        await c.connect();
        const r = await c.interrogate(1);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.reason).toMatch(/timeout|connection lost|negative|unknown|not connected/);
        c.close();
        expect(c.state).toBe('idle');
      }),
      { numRuns: 60 },
    );
  });

  it('wrong length octets and truncated APDUs close the link with the reason; pending requests fail at once', async () => {
    for (const [bytes, reason] of [
      [Buffer.from([0x68, 0x02, 0, 0]), /framing error: .*APDU length 2 outside 4\.\.253/],
      [Buffer.from([0x68, 0xff, 0, 0]), /framing error: .*APDU length 255 outside 4\.\.253/],
      [Buffer.from([0x68, 0x0e, 0, 0, 0, 0, 100]), /connection closed by peer/], // truncated, then the station hangs up
      [Buffer.from([0x68, 0x05, 0x01, 0, 0, 0, 0]), /protocol error: .*S-format APDU must have length 4/],
    ] as const) {
      const port = await scriptedStation((sock) => {
        sock.write(bytes);
        sock.end();
      });
      const c = client(port, { confirmTimeoutMs: 10_000 });
      const warns: string[] = [];
      c.on('warn', (w: string) => warns.push(w));
      await c.connect();
      const r = await c.command({ typeId: TypeId.C_SC_NA_1, ioa: 5000, value: true });
      expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/^connection lost: /) });
      expect(warns.join('\n')).toMatch(reason);
    }
  });

  it('a station that never acknowledges: t1 closes the link, pending requests fail, the send queue stays bounded', async () => {
    const port = await scriptedStation(() => undefined, false);
    const c = client(port, { confirmTimeoutMs: 10_000, link: { t1: 300, t2: 100, maxQueue: 5 } });
    const warns: string[] = [];
    c.on('warn', (w: string) => warns.push(w));
    await c.connect();
    // k=12 in flight, 5 queued, the rest refused at once.
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => c.command({ typeId: TypeId.C_SC_NA_1, ioa: 6000 + i, value: true })));
    const reasons = results.map((r) => r.reason);
    expect(reasons.filter((r) => r === 'send queue full')).toHaveLength(3);
    expect(reasons.filter((r) => /^connection lost: t1 expired: I frame N\(S\)=0 not acknowledged/.test(r ?? ''))).toHaveLength(17);
    expect(c.state).toBe('down');
    expect(warns.join('\n')).toMatch(/t1 expired/);
  });

  it('confirmations nobody asked for and unknown causes are warned about, not acted on', async () => {
    const port = await scriptedStation((sock, a, ns) => {
      if (a.typeId !== TypeId.C_SC_NA_1) return;
      const send = (x: Asdu) => sock.write(encodeIAsdu(ns.next++, 1, x));
      send({ typeId: TypeId.C_SE_NC_1, cot: Cot.ACTIVATION_CON, ca: 1, objects: [{ ioa: 9999, value: 1, select: false, qualifier: 0 }] });
      send({ typeId: TypeId.C_SC_NA_1, cot: Cot.UNKNOWN_IOA, negative: true, ca: 7, objects: [{ ioa: 1, value: true, select: false, qualifier: 0 }] });
      send({ typeId: TypeId.C_SC_NA_1, cot: Cot.SPONTANEOUS, ca: 1, objects: [{ ioa: a.objects[0]!.ioa, value: true, select: false, qualifier: 0 }] });
      send({ ...a, cot: Cot.ACTIVATION_CON, negative: false });
      send({ ...a, cot: Cot.ACTIVATION_TERMINATION, negative: false });
    });
    const c = client(port, { confirmTimeoutMs: 2000, terminationTimeoutMs: 2000 });
    const warns: string[] = [];
    c.on('warn', (w: string) => warns.push(w));
    await c.connect();
    expect(await c.command({ typeId: TypeId.C_SC_NA_1, ioa: 5000, value: true })).toMatchObject({ ok: true, stage: 'term' });
    expect(warns.join('\n')).toMatch(/COT 47 to C_SC_NA_1 IOA 1 with nothing pending/);
    expect(warns.join('\n')).toMatch(/unexpected COT 3 for C_SC_NA_1/);
  });
});
