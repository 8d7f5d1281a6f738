import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { Point } from '../../src/core/point.js';
import type { Asdu } from '../../src/protocols/iec104/asdu.js';
import { Iec104Client, type ClientOptions } from '../../src/protocols/iec104/client.js';
import { Cot, TypeId } from '../../src/protocols/iec104/constants.js';
import { cp56FromEpoch } from '../../src/protocols/iec104/cp56time.js';
import { LinkLayer } from '../../src/protocols/iec104/link.js';
import { Iec104Server, type CommandRequest, type ServerOptions } from '../../src/protocols/iec104/server.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function startServer(opts: ServerOptions = {}) {
  const commands: CommandRequest[] = [];
  const server = new Iec104Server({ port: 0, host: '127.0.0.1', onCommand: (c) => (commands.push(c), true), ...opts });
  server.definePoint({ ca: 1, ioa: 100, typeId: TypeId.M_SP_TB_1, groups: [1], initial: { value: true, quality: {} } });
  server.definePoint({ ca: 1, ioa: 101, typeId: TypeId.M_DP_NA_1, groups: [1], initial: { value: 2, quality: {} } });
  for (let i = 0; i < 100; i++) server.definePoint({ ca: 1, ioa: 1000 + i, typeId: TypeId.M_ME_NC_1, groups: [2], initial: { value: i * 1.5, quality: {} } });
  server.definePoint({ ca: 1, ioa: 2000, typeId: TypeId.M_ME_NB_1, initial: { value: -7, quality: { nt: true } } });
  server.definePoint({ ca: 1, ioa: 3000, typeId: TypeId.M_IT_NA_1, counterGroup: 1, initial: { value: 12345, sequence: 1, quality: {} } });
  server.defineCommand({ ca: 1, ioa: 5000, typeIds: [TypeId.C_SC_NA_1, TypeId.C_SC_TA_1] });
  server.defineCommand({ ca: 1, ioa: 5001, typeIds: [TypeId.C_DC_NA_1], sbo: true });
  server.defineCommand({ ca: 1, ioa: 5002, typeIds: [TypeId.C_SE_NC_1] });
  const { port } = await server.listen();
  cleanup.push(() => server.close());
  return { server, port, commands };
}

async function startClient(port: number | number[], opts: Partial<ClientOptions> = {}) {
  const ports = Array.isArray(port) ? port : [port];
  const client = new Iec104Client({ hosts: ports.map((p) => ({ host: '127.0.0.1', port: p })), reconnectMinMs: 20, ...opts });
  cleanup.push(() => client.close());
  await client.connect();
  return client;
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('client ↔ server on loopback', () => {
  it('general interrogation returns every point, packed, as GridBridge points', async () => {
    const { port } = await startServer();
    const client = await startClient(port);
    const points: Point[] = [];
    const asdus: Asdu[] = [];
    client.on('point', (p: Point) => points.push(p));
    client.on('asdu', (a: Asdu) => asdus.push(a));
    const r = await client.interrogate(1);
    expect(r).toMatchObject({ ok: true, stage: 'term' });
    expect(r.objects).toHaveLength(103);
    const floats = asdus.filter((a) => a.typeId === TypeId.M_ME_NC_1);
    expect(floats.map((a) => [a.sq, a.objects.length, a.cot])).toEqual([
      [true, 48, 20],
      [true, 48, 20],
      [true, 4, 20],
    ]);
    // GI uses the type without time tag for a time-tagged point.
    expect(asdus.some((a) => a.typeId === TypeId.M_SP_NA_1 && a.objects[0]?.ioa === 100)).toBe(true);
    const byName = new Map(points.map((p) => [p.name, p]));
    expect(byName.get('x_ioa100')).toMatchObject({ device: 'ca1', value: true, quality: { code: 'good' } });
    expect(byName.get('x_ioa101')).toMatchObject({ value: true });
    expect(byName.get('x_ioa1003')).toMatchObject({ value: 4.5 });
    expect(byName.get('x_ioa2000')).toMatchObject({ value: -7, quality: { code: 'questionable' } });
    expect(byName.has('x_ioa3000')).toBe(false);
  });

  it('interrogation with collect: false resolves without the objects, which still arrive as events', async () => {
    const { port } = await startServer();
    const client = await startClient(port);
    let seen = 0;
    client.on('object', (u: { cot: number }) => void (u.cot === 22 && seen++));
    const r = await client.interrogate(1, 22, { collect: false });
    expect(r).toMatchObject({ ok: true, stage: 'term' });
    expect(r.objects).toBeUndefined();
    expect(seen).toBe(100);
  });

  it('group interrogation answers only the group, with COT 20+group', async () => {
    const { port } = await startServer();
    const client = await startClient(port);
    const r = await client.interrogate(1, 21);
    expect(r.ok).toBe(true);
    expect(r.objects?.map((o) => o.ioa)).toEqual([100, 101]);
  });

  it('counter interrogation, clock sync, read, test command', async () => {
    const synced: Array<number | undefined> = [];
    const { port } = await startServer({ onClockSync: (t) => (synced.push(t), true) });
    const client = await startClient(port);
    const ci = await client.counterInterrogate(1, 5);
    expect(ci.ok).toBe(true);
    expect(ci.objects).toEqual([{ ioa: 3000, value: 12345, sequence: 1, carry: false, adjusted: false, quality: {} }]);
    const at = Date.UTC(2026, 4, 6, 7, 8, 9, 10);
    expect(await client.clockSync(1, at)).toMatchObject({ ok: true, stage: 'con' });
    expect(synced).toEqual([at]);
    const rd = await client.read(2000);
    expect(rd.ok).toBe(true);
    expect(rd.objects?.[0]).toMatchObject({ ioa: 2000, value: -7 });
    expect(await client.read(4242)).toMatchObject({ ok: false, reason: expect.stringMatching(/COT 47/) });
    expect(await client.testCommand(1, 7)).toMatchObject({ ok: true });
  });

  it('refused clock sync gives a negative confirmation', async () => {
    const { port } = await startServer({ onClockSync: () => false });
    const client = await startClient(port);
    expect(await client.clockSync(1)).toMatchObject({ ok: false, reason: expect.stringMatching(/negative/) });
  });

  it('commands: direct execute, SBO, field link down, unknown IOA/CA, wrong type', async () => {
    const { server, port, commands } = await startServer();
    const client = await startClient(port);
    expect(await client.command({ typeId: TypeId.C_SC_NA_1, ioa: 5000, value: true })).toMatchObject({ ok: true, stage: 'term' });
    expect(await client.command({ typeId: TypeId.C_SC_NA_1, ioa: 5000, value: false, withTime: true })).toMatchObject({ ok: true, stage: 'term' });
    expect(commands.map((c) => [c.typeId, c.value, c.select])).toEqual([
      [45, true, false],
      [58, false, false],
    ]);
    expect(commands[1]?.time).toBeTypeOf('number');
    expect(await client.command({ typeId: TypeId.C_DC_NA_1, ioa: 5001, value: 2 })).toMatchObject({ ok: false, stage: 'con', reason: expect.stringMatching(/negative/) });
    expect(await client.command({ typeId: TypeId.C_DC_NA_1, ioa: 5001, value: 2, sbo: true })).toMatchObject({ ok: true, stage: 'term' });
    expect(commands.slice(2).map((c) => c.select)).toEqual([true, false]);
    server.setCommandAvailable(1, 5002, false);
    expect(await client.command({ typeId: TypeId.C_SE_NC_1, ioa: 5002, value: 50 })).toMatchObject({ ok: false, reason: expect.stringMatching(/negative/) });
    server.setCommandAvailable(1, 5002, true);
    expect(await client.command({ typeId: TypeId.C_SE_NC_1, ioa: 5002, value: 50 })).toMatchObject({ ok: true });
    expect(commands.at(-1)?.value).toBe(50);
    expect(await client.command({ typeId: TypeId.C_SC_NA_1, ioa: 9999, value: true })).toMatchObject({ ok: false, reason: expect.stringMatching(/COT 47/) });
    expect(await client.command({ typeId: TypeId.C_SC_NA_1, ioa: 5000, value: true, ca: 9 })).toMatchObject({ ok: false, reason: expect.stringMatching(/COT 46/) });
    expect(await client.command({ typeId: TypeId.C_DC_NA_1, ioa: 5000, value: 1 })).toMatchObject({ ok: false, reason: expect.stringMatching(/negative/) });
  });

  it('a handler refusal and a late ACT_TERM are tracked', async () => {
    let release!: () => void;
    const { port } = await startServer({
      onCommand: (c) => (c.ioa === 5000 ? { accept: false, reason: 'interlock' } : { accept: true, done: new Promise<void>((r) => (release = r)) }),
    });
    const client = await startClient(port, { terminationTimeoutMs: 5000 });
    expect(await client.command({ typeId: TypeId.C_SC_NA_1, ioa: 5000, value: true })).toMatchObject({ ok: false, stage: 'con' });
    const p = client.command({ typeId: TypeId.C_SE_NC_1, ioa: 5002, value: 1 });
    await until(() => release !== undefined);
    let settled = false;
    void p.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(settled).toBe(false);
    release();
    expect(await p).toMatchObject({ ok: true, stage: 'term' });
  });

  it('ACT_CON timeout when the server never answers', async () => {
    const { port } = await startServer({ onCommand: () => new Promise(() => undefined) });
    const client = await startClient(port, { confirmTimeoutMs: 100 });
    expect(await client.command({ typeId: TypeId.C_SC_NA_1, ioa: 5000, value: true })).toMatchObject({ ok: false, stage: 'send', reason: expect.stringMatching(/timeout: no ACT_CON/) });
  });

  it('spontaneous events are buffered without a connection and delivered (bounded) after STARTDT', async () => {
    const { server, port } = await startServer({ eventBuffer: 3 });
    for (let i = 0; i < 5; i++) server.update(1, 1000 + i, { value: 100 + i });
    expect(server.bufferedEvents()).toBe(3);
    const client = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }] });
    cleanup.push(() => client.close());
    const got: Asdu[] = [];
    client.on('asdu', (a: Asdu) => got.push(a));
    await client.connect();
    await until(() => got.filter((a) => a.cot === Cot.SPONTANEOUS).length === 3);
    expect(got[0]?.typeId).toBe(TypeId.M_EI_NA_1);
    expect(got.filter((a) => a.cot === Cot.SPONTANEOUS).map((a) => a.objects[0]?.value)).toEqual([102, 103, 104]);
    server.update(1, 100, { value: false });
    await until(() => got.some((a) => a.typeId === TypeId.M_SP_TB_1));
    const tb = got.find((a) => a.typeId === TypeId.M_SP_TB_1)!;
    expect(tb.objects[0]).toMatchObject({ value: false, time: { invalid: false } });
  });

  it('redundancy group: a second started connection supersedes the first', async () => {
    const { server, port } = await startServer();
    const a = await startClient(port, { reconnect: false });
    const states: string[] = [];
    a.on('state', (s: string) => states.push(s));
    const b = await startClient(port);
    await until(() => states.includes('down') || states.includes('idle'));
    expect(server.connections().filter((c) => c.started)).toHaveLength(1);
    const got: Asdu[] = [];
    b.on('asdu', (x: Asdu) => got.push(x));
    server.update(1, 2000, { value: 5 });
    await until(() => got.length > 0);
  });

  it('fails over to the next host', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const { port } = await startServer();
    const client = await startClient([deadPort, port]);
    expect(client.connectedTo?.port).toBe(port);
  });

  it('interrogated and read ASDUs carry the requester\'s originator address (101 §7.2.3)', async () => {
    // Cross-checked with lib60870-C 2.4.1 simple_client (OA 3): GI data went out with OA 0 before the fix.
    const { port } = await startServer();
    const client = await startClient(port, { originator: 3 });
    const got: Asdu[] = [];
    client.on('asdu', (a: Asdu) => got.push(a));
    expect((await client.interrogate(1)).ok).toBe(true);
    expect((await client.counterInterrogate(1, 5)).ok).toBe(true);
    expect((await client.read(2000)).ok).toBe(true);
    const data = got.filter((a) => a.cot === Cot.INTERROGATED_BY_STATION || a.cot === Cot.REQUESTED_BY_GENERAL_COUNTER || a.cot === Cot.REQUEST);
    expect(new Set(data.map((a) => a.cot))).toEqual(new Set([Cot.INTERROGATED_BY_STATION, Cot.REQUESTED_BY_GENERAL_COUNTER, Cot.REQUEST]));
    expect(data.map((a) => a.originator)).toEqual(data.map(() => 3));
    expect(got.filter((a) => a.typeId === TypeId.C_IC_NA_1).map((a) => a.originator)).toEqual([3, 3]);
  });

  it('answers an unknown type with COT 44 and an unknown CA with COT 46, both negative', async () => {
    const { port } = await startServer();
    const client = await startClient(port);
    const got: Asdu[] = [];
    client.on('asdu', (a: Asdu) => got.push(a));
    client.send({ typeId: 120, cot: 13, ca: 1, objects: [], raw: Buffer.from([1, 0, 0, 0xaa]), count: 1 });
    client.send({ typeId: TypeId.C_IC_NA_1, cot: Cot.ACTIVATION, ca: 77, objects: [{ ioa: 0, qualifier: 20 }] });
    await until(() => got.length >= 2);
    expect(got.map((a) => [a.typeId, a.cot, a.negative])).toEqual([
      [120, 44, true],
      [100, 46, true],
    ]);
  });
});

describe('peer quirks', () => {
  /** A scripted controlled station answering with what some real peers send. */
  async function quirkyServer(answer: (a: Asdu, send: (x: Asdu) => void) => void) {
    const srv = createServer((sock) => {
      const link: LinkLayer = new LinkLayer('controlled', { write: (f) => sock.write(f), asdu: (a) => answer(a, (x) => link.sendAsdu(x)), closed: () => sock.destroy() }, systemClock);
      sock.on('data', (d) => link.receive(d));
      sock.on('close', () => link.close('closed'));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
    return (srv.address() as AddressInfo).port;
  }
  it('accepts a GI ACT_TERM with TypeID 0', async () => {
    const port = await quirkyServer((a, send) => {
      send({ ...a, cot: Cot.ACTIVATION_CON });
      send({ typeId: TypeId.M_ME_NB_1, cot: 20, ca: 1, objects: [{ ioa: 7, value: 3, quality: {} }] });
      send({ typeId: 0, cot: Cot.ACTIVATION_TERMINATION, ca: 1, objects: [], raw: Buffer.alloc(0), count: 0 });
    });
    const client = await startClient(port);
    expect(await client.interrogate(1)).toMatchObject({ ok: true, stage: 'term', objects: [{ ioa: 7, value: 3 }] });
  });
  it('treats COT 47 without the negative bit as a refusal', async () => {
    const port = await quirkyServer((a, send) => send({ ...a, cot: Cot.UNKNOWN_IOA, negative: false }));
    const client = await startClient(port);
    expect(await client.command({ typeId: TypeId.C_SC_NA_1, ioa: 1, value: true })).toMatchObject({ ok: false, reason: expect.stringMatching(/COT 47/) });
  });
  it('time-tagged command older than allowed is refused', async () => {
    const { port, commands } = await startServer({ maxCommandAgeMs: 1000 });
    const client = await startClient(port);
    const got: Asdu[] = [];
    client.on('asdu', (a: Asdu) => got.push(a));
    client.send({ typeId: TypeId.C_SC_TA_1, cot: Cot.ACTIVATION, ca: 1, objects: [{ ioa: 5000, value: true, time: cp56FromEpoch(Date.now() - 60_000) }] });
    await until(() => got.some((a) => a.cot === Cot.ACTIVATION_CON));
    expect(got.find((a) => a.cot === Cot.ACTIVATION_CON)?.negative).toBe(true);
    expect(commands).toHaveLength(0);
  });
});

describe('bad input and recovery', () => {
  it('garbage on one connection closes only that connection', async () => {
    const { server, port } = await startServer();
    const reasons: string[] = [];
    server.on('disconnect', (d: { reason: string }) => reasons.push(d.reason));
    const good = await startClient(port);
    const { connect } = await import('node:net');
    const bad = connect(port, '127.0.0.1');
    await new Promise<void>((r) => bad.once('connect', () => r()));
    const closed = new Promise<void>((r) => bad.once('close', () => r()));
    bad.write(Buffer.from([0x68, 0x04, 0x43, 0, 0, 0, 0x42, 0x42]));
    bad.resume(); // a paused socket would never see the server's FIN
    await closed;
    expect(reasons.join('\n')).toMatch(/framing error: .*start octet 0x42/);
    expect(await good.interrogate(1, 21)).toMatchObject({ ok: true });
  });

  it('events sent but not acknowledged are sent again on the next connection', async () => {
    const { server, port } = await startServer();
    const { connect } = await import('node:net');
    // A controlling station that starts data transfer but never acknowledges (w and t2 out of reach).
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const seen: number[] = [];
    const link = new LinkLayer('controlling', { write: (f) => sock.write(f), asdu: (a) => a.cot === Cot.SPONTANEOUS && seen.push(Number(a.objects[0]!.value)), closed: () => sock.destroy() }, systemClock, { w: 100, k: 100, t2: 14_000 });
    sock.on('data', (d) => link.receive(d));
    link.start();
    await until(() => link.started);
    for (let i = 0; i < 3; i++) server.update(1, 2000, { value: 10 + i });
    await until(() => seen.length === 3);
    const gone = new Promise<void>((r) => server.once('disconnect', () => r()));
    link.close('test: drop without acknowledging');
    await gone;
    const client = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }] });
    cleanup.push(() => client.close());
    const again: number[] = [];
    client.on('asdu', (a: Asdu) => a.cot === Cot.SPONTANEOUS && again.push(Number(a.objects[0]!.value)));
    await client.connect();
    await until(() => again.length === 3);
    expect(again).toEqual([10, 11, 12]);
  });
  it('STOPDT buffers events, STARTDT delivers them once', async () => {
    const { server, port } = await startServer();
    const client = await startClient(port);
    const got: number[] = [];
    client.on('asdu', (a: Asdu) => a.cot === Cot.SPONTANEOUS && got.push(Number(a.objects[0]!.value)));
    client.stopDataTransfer();
    await until(() => !client.started);
    server.update(1, 2000, { value: 1 });
    server.update(1, 2000, { value: 2 });
    expect(server.bufferedEvents()).toBe(2);
    client.startDataTransfer();
    await until(() => got.length >= 2);
    server.update(1, 2000, { value: 3 });
    await until(() => got.length >= 3);
    expect(got).toEqual([1, 2, 3]);
  });
});

describe('connection discipline and bounded memory', () => {
  const rawConnect = async (port: number) => {
    const { connect } = await import('node:net');
    const s = connect(port, '127.0.0.1');
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.resume(); // a paused socket would never see the server's FIN
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    return { s, closed };
  };

  it('an I frame before STARTDT closes the connection and is counted; nothing is executed', async () => {
    const { server, port, commands } = await startServer();
    const reasons: string[] = [];
    server.on('disconnect', (d: { reason: string }) => reasons.push(d.reason));
    const { s, closed } = await rawConnect(port);
    const { encodeIAsdu } = await import('../../src/protocols/iec104/codec.js');
    s.write(encodeIAsdu(0, 0, { typeId: TypeId.C_SC_NA_1, cot: Cot.ACTIVATION, ca: 1, objects: [{ ioa: 5000, value: true, select: false, qualifier: 0 }] }));
    await closed;
    await until(() => reasons.length > 0);
    expect(reasons[0]).toMatch(/I frame N\(S\)=0 received before STARTDT/);
    expect(server.stats.iFramesBeforeStart).toBe(1);
    expect(commands).toEqual([]);
  });

  it('connections beyond the limit are closed at once and counted', async () => {
    const { server, port } = await startServer({ maxConnections: 2 });
    for (let i = 0; i < 2; i++) cleanup.push(((c) => () => c.destroy())((await rawConnect(port)).s));
    await until(() => server.connections().length === 2);
    const warns: string[] = [];
    server.on('warn', (w: string) => warns.push(w));
    const { closed } = await rawConnect(port);
    await closed;
    expect(server.stats.connectionsRefused).toBe(1);
    expect(server.connections()).toHaveLength(2);
    expect(warns.join('\n')).toMatch(/refused: 2 connections open \(limit\)/);
  });

  it('an interrogation whose answer does not fit the send queue gets a negative ACT_CON', async () => {
    // 100 floats in group 2 make 3 packed ASDUs; a queue of 4 cannot take ACT_CON + 3 + ACT_TERM after a first GI.
    const { server, port } = await startServer({ link: { maxQueue: 4 } });
    const { connect } = await import('node:net');
    const s = connect(port, '127.0.0.1');
    const got: Asdu[] = [];
    const link = new LinkLayer('controlling', { write: (f) => s.write(f), asdu: (a) => got.push(a), closed: () => s.destroy() }, systemClock, { w: 1 });
    s.on('data', (d) => link.receive(d));
    cleanup.push(() => s.destroy());
    await new Promise<void>((r) => s.once('connect', () => r()));
    link.start();
    await until(() => link.started);
    link.sendAsdu({ typeId: TypeId.C_IC_NA_1, cot: Cot.ACTIVATION, ca: 1, objects: [{ ioa: 0, qualifier: 22 }] });
    await until(() => got.some((a) => a.typeId === TypeId.C_IC_NA_1 && a.cot === Cot.ACTIVATION_CON));
    expect(got.find((a) => a.typeId === TypeId.C_IC_NA_1 && a.cot === Cot.ACTIVATION_CON)?.negative).toBe(true);
    expect(server.stats.interrogationsRefused).toBe(1);
  });
});
