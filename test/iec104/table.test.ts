/**
 * ObjectTable (interrogation answers kept column-wise) and the client paths around it: what the table gives back
 * equals what decodeAsdu gives for the same octets, malformed ASDUs are refused whole, and the client tables a GI
 * from a real server (and a scripted station) whether or not anybody listens to 'asdu' events. Also the
 * controlling station's side of "an I frame before STARTDT": the client closes the connection and counts it.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/core/errors.js';
import { encodeUFrame, FrameReader } from '../../src/protocols/iec104/apci.js';
import { decodeAsdu, encodeAsdu, type Asdu } from '../../src/protocols/iec104/asdu.js';
import { decodeFrame, encodeIAsdu } from '../../src/protocols/iec104/codec.js';
import { Iec104Client } from '../../src/protocols/iec104/client.js';
import { Cot, TypeId } from '../../src/protocols/iec104/constants.js';
import { cp56FromEpoch } from '../../src/protocols/iec104/cp56time.js';
import { Iec104Server } from '../../src/protocols/iec104/server.js';
import { ObjectTable, QUALITY_BITS } from '../../src/protocols/iec104/table.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const T0 = Date.UTC(2026, 11, 6, 8, 0, 0, 250);
const asdus: Asdu[] = [
  { typeId: TypeId.M_ME_NC_1, sq: true, cot: 20, ca: 1, objects: [{ ioa: 100, value: 1.5, quality: {} }, { ioa: 101, value: -2.25, quality: { iv: true, ov: true } }, { ioa: 102, value: 1e6, quality: { nt: true } }] },
  { typeId: TypeId.M_SP_NA_1, cot: 20, ca: 2, objects: [{ ioa: 7, value: true, quality: {} }, { ioa: 3, value: false, quality: { bl: true, sb: true } }] },
  { typeId: TypeId.M_DP_NA_1, cot: 20, ca: 2, objects: [{ ioa: 9, value: 2, quality: {} }] },
  { typeId: TypeId.M_ME_NB_1, cot: 20, ca: 1, objects: [{ ioa: 200, value: -1234, quality: { sb: true } }] },
  { typeId: TypeId.M_ME_NA_1, cot: 20, ca: 1, objects: [{ ioa: 201, value: 0.5, quality: {} }] },
  { typeId: TypeId.M_IT_NA_1, cot: 37, ca: 1, objects: [{ ioa: 3000, value: 12345, sequence: 3, carry: true, adjusted: false, quality: { iv: true } }] },
  { typeId: TypeId.M_ST_NA_1, cot: 20, ca: 1, objects: [{ ioa: 40, value: -5, transient: true, quality: { nt: true } }] },
  { typeId: TypeId.M_ME_TF_1, cot: 3, ca: 1, objects: [{ ioa: 300, value: 42.5, quality: {}, time: cp56FromEpoch(T0) }] },
];

describe('ObjectTable', () => {
  it('gives back, per object, what decodeAsdu decodes from the same octets (SQ=1 and SQ=0, eight types)', () => {
    const t = new ObjectTable(16);
    const expected: Array<{ typeId: number; ca: number; o: ReturnType<typeof decodeAsdu>['objects'][number] }> = [];
    for (const a of asdus) {
      const octets = encodeAsdu(a);
      expect(t.appendAsdu(octets)).toBe(a.objects.length);
      for (const o of decodeAsdu(octets).objects) expected.push({ typeId: a.typeId, ca: a.ca, o });
    }
    expect(t.length).toBe(expected.length);
    expect(t.toObjects()).toEqual(expected.map((e) => e.o));
    expect([...t]).toEqual(expected.map((e) => e.o));
    expected.forEach((e, i) => {
      expect([t.typeId(i), t.ca(i), t.ioa(i)]).toEqual([e.typeId, e.ca, e.o.ioa]);
      expect(t.value(i)).toEqual(e.o.value);
      expect(t.quality(i)).toEqual(e.o.quality ?? {});
    });
    expect(Array.from(t.ioas())).toEqual(expected.map((e) => e.o.ioa));
    expect(t.values()[0]).toBe(1.5);
    expect(t.values()[3]).toBe(1); // single point true
    expect(t.qualityBits(1)).toBe(QUALITY_BITS.iv | QUALITY_BITS.ov);
    expect(t.qualityBits(4)).toBe(QUALITY_BITS.bl | QUALITY_BITS.sb);
    expect(t.qualityBits(0)).toBe(0);
    const last = expected.length - 1;
    expect(t.time(last)).toBe(T0);
    expect(t.time(0)).toBeUndefined();
  });

  it('grows past its initial capacity and keeps earlier objects intact', () => {
    const t = new ObjectTable(16);
    for (let first = 1; first <= 4800; first += 48) {
      t.appendAsdu(encodeAsdu({ typeId: TypeId.M_ME_NC_1, sq: true, cot: 20, ca: 1, objects: Array.from({ length: 48 }, (_, i) => ({ ioa: first + i, value: (first + i) * 0.5, quality: {} })) }));
    }
    expect(t.length).toBe(4800);
    expect([t.ioa(0), t.value(0), t.ioa(4799), t.value(4799)]).toEqual([1, 0.5, 4800, 2400]);
    expect(t.object(2399)).toEqual({ ioa: 2400, value: 1200, quality: {} });
  });

  it('refuses a malformed ASDU whole (DecodeError naming the problem, nothing appended) and bad indexes', () => {
    const t = new ObjectTable();
    t.appendAsdu(encodeAsdu(asdus[0]!));
    const good = encodeAsdu(asdus[1]!);
    expect(() => t.appendAsdu(good.subarray(0, good.length - 1))).toThrow(DecodeError);
    expect(() => t.appendAsdu(good.subarray(0, good.length - 1))).toThrow(/M_SP_NA_1 with 2 object\(s\) needs 8 octets of objects, got 7/);
    expect(() => t.appendAsdu(Buffer.from([TypeId.M_ME_NC_1, 0x81, 20, 0, 1, 0, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0]).subarray(0, 13))).toThrow(DecodeError);
    expect(() => t.appendAsdu(Buffer.from([TypeId.M_ME_NC_1, 0x82, 20, 0, 1, 0, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/SQ=1 sequence from IOA 16777215 runs past 16777215/);
    expect(() => t.appendAsdu(Buffer.from([0xf0, 1, 20, 0, 1, 0, 1, 0, 0]))).toThrow(/type 240 has no element codec/);
    expect(t.length).toBe(3);
    expect(() => t.ioa(3)).toThrow(RangeError);
    expect(() => t.value(-1)).toThrow(/object index -1 outside 0\.\.2/);
  });

  it('appendObject tables a decoded object the same way', () => {
    const t = new ObjectTable();
    t.appendObject(TypeId.M_IT_NA_1, 5, { ioa: 9, value: -7, sequence: 2, carry: false, adjusted: true, quality: {} });
    expect(t.object(0)).toEqual({ ioa: 9, value: -7, sequence: 2, carry: false, adjusted: true, quality: {} });
    expect([t.ca(0), t.value(0), t.qualityBits(0)]).toEqual([5, -7, 0]);
  });
});

async function startServer(points: number) {
  const server = new Iec104Server({ port: 0, host: '127.0.0.1', packed: true });
  for (let i = 0; i < points; i++) server.definePoint({ ca: 1, ioa: 1 + i, typeId: TypeId.M_ME_NC_1, initial: { value: i * 0.5, quality: i === 7 ? { iv: true } : {} } });
  server.definePoint({ ca: 1, ioa: 50_000, typeId: TypeId.M_SP_NA_1, initial: { value: true, quality: {} } });
  const { port } = await server.listen();
  cleanup.push(() => server.close());
  return port;
}

function client(port: number) {
  const c = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }], reconnect: false, confirmTimeoutMs: 5000, terminationTimeoutMs: 5000 });
  cleanup.push(() => c.close());
  return c;
}

describe('client interrogation into a table', () => {
  it('with and without asdu listeners: the same table, and objects built from it on access', async () => {
    const port = await startServer(1000);
    const c = client(port);
    await c.connect();
    const quiet = await c.interrogate(1);
    const seen: Asdu[] = [];
    c.on('asdu', (a: Asdu) => seen.push(a));
    const heard = await c.interrogate(1);
    for (const r of [quiet, heard]) {
      expect(r).toMatchObject({ ok: true, stage: 'term' });
      const t = r.table!;
      expect(t.length).toBe(1001);
      const at = (ioa: number) => t.ioas().indexOf(ioa);
      expect([t.typeId(at(8)), t.value(at(8)), t.quality(at(8))]).toEqual([TypeId.M_ME_NC_1, 3.5, { iv: true }]);
      expect([t.typeId(at(50_000)), t.value(at(50_000)), t.qualityBits(at(50_000))]).toEqual([TypeId.M_SP_NA_1, true, 0]);
      expect(r.objects).toHaveLength(1001);
      expect(r.objects![at(1000)]).toEqual({ ioa: 1000, value: 499.5, quality: {} });
    }
    const fromEvents = seen.filter((a) => a.cot === Cot.INTERROGATED_BY_STATION).flatMap((a) => a.objects);
    expect(heard.objects).toEqual(fromEvents);
    // Spreading a result (as the Node-RED command node does) does not build the objects.
    expect(Object.keys({ ...quiet })).toEqual(['ok', 'stage', 'table']);
  });

  it('a malformed answer is dropped with a warning even when nobody listens to asdu events; the rest is tabled', async () => {
    const port = await station((sock, a, ns) => {
      if (a.typeId !== TypeId.C_IC_NA_1) return;
      const send = (x: Asdu | Buffer) => sock.write(Buffer.isBuffer(x) ? frame(ns.next++, x) : encodeIAsdu(ns.next++, 1, x));
      send({ ...a, cot: Cot.ACTIVATION_CON });
      send({ typeId: TypeId.M_ME_NC_1, sq: true, cot: 20, ca: 1, objects: [{ ioa: 1, value: 1, quality: {} }, { ioa: 2, value: 2, quality: {} }] });
      send(Buffer.from([TypeId.M_ME_NC_1, 0x02, 20, 0, 1, 0, 3, 0, 0, 0, 0]));
      send({ typeId: TypeId.M_SP_NA_1, cot: 20, ca: 1, objects: [{ ioa: 9, value: false, quality: {} }] });
      send({ typeId: TypeId.M_SP_NA_1, cot: 20, ca: 2, objects: [{ ioa: 9, value: true, quality: {} }] }); // other CA: not this GI's
      send(Buffer.from([39, 1, 20, 0, 1, 0, 5, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])); // M_EP_TE_1: no codec here, not tabled, not an error
      send({ ...a, cot: Cot.ACTIVATION_TERMINATION });
    });
    const c = client(port);
    const warns: string[] = [];
    c.on('warn', (w: string) => warns.push(w));
    await c.connect();
    const r = await c.interrogate(1);
    expect(r.ok).toBe(true);
    expect(r.objects).toEqual([
      { ioa: 1, value: 1, quality: {} },
      { ioa: 2, value: 2, quality: {} },
      { ioa: 9, value: false, quality: {} },
    ]);
    expect(warns.filter((w) => w.startsWith('dropped'))).toHaveLength(1);
    expect(warns.join('\n')).toMatch(/dropped undecodable ASDU in I frame N\(S\)=2: iec104: M_ME_NC_1 with 2 object\(s\) needs 16 octets of objects, got 5 at offset 17/);
  });
});

const frame = (ns: number, asdu: Buffer): Buffer => Buffer.concat([Buffer.from([0x68, asdu.length + 4, (ns << 1) & 0xfe, ns >> 7, 2, 0]), asdu]);

/** A scripted controlled station: STARTDT con (unless `early` speaks first), I frames from the client go to `onI`. */
async function station(onI: (sock: Socket, a: Asdu, ns: { next: number }) => void, early?: (sock: Socket) => void) {
  const socks = new Set<Socket>();
  const srv = createServer((sock) => {
    socks.add(sock);
    const reader = new FrameReader();
    const ns = { next: 0 };
    sock.on('error', () => undefined);
    sock.on('close', () => socks.delete(sock));
    sock.on('data', (d) =>
      reader.push(d, (f) => {
        const x = decodeFrame(f);
        if (x.apci.format === 'U' && x.apci.fn === 'STARTDT_ACT') {
          if (early) return early(sock);
          sock.write(encodeUFrame('STARTDT_CON'));
        }
        if (x.apci.format === 'I') onI(sock, x.asdu!, ns);
      }),
    );
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => (socks.forEach((s) => s.destroy()), srv.close(() => r()))));
  return (srv.address() as AddressInfo).port;
}

describe('controlling station: I frame before STARTDT con', () => {
  it('closes the connection, names the reason and counts it; nothing is handed on', async () => {
    const port = await station(
      () => undefined,
      (sock) => {
        // Data before the confirmation (the con follows, too late).
        sock.write(encodeIAsdu(0, 0, { typeId: TypeId.M_SP_NA_1, cot: Cot.SPONTANEOUS, ca: 1, objects: [{ ioa: 1, value: true, quality: {} }] }));
        sock.write(encodeUFrame('STARTDT_CON'));
      },
    );
    const c = client(port);
    const warns: string[] = [];
    const got: Asdu[] = [];
    c.on('warn', (w: string) => warns.push(w));
    c.on('asdu', (a: Asdu) => got.push(a));
    await expect(c.connect()).rejects.toThrow(/closed before the link came up/);
    expect(warns.join('\n')).toMatch(/link closed: protocol error: I frame N\(S\)=0 received before STARTDT con \(data transfer not started\)/);
    expect(c.stats.iFramesBeforeStart).toBe(1);
    expect(got).toEqual([]);
    expect(c.state).toBe('down');
  });
});
