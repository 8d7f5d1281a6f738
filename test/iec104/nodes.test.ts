import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import clientNode from '../../nodes/iec104-client.js';
import inNode from '../../nodes/iec104-in.js';
import commandNode from '../../nodes/iec104-command.js';
import serverNode from '../../nodes/iec104-server.js';
import pointNode from '../../nodes/iec104-point.js';
import outNode from '../../nodes/iec104-out.js';
import { Iec104Client } from '../../src/protocols/iec104/client.js';
import { TypeId } from '../../src/protocols/iec104/constants.js';
import { SimRtu } from '../../src/sim/iec104/rtu.js';
import { initNodeRed } from '../node-red-path.js';

interface TestHelper {
  init(path: string): void;
  startServer(cb: () => void): void;
  stopServer(cb: () => void): void;
  load(nodes: unknown[], flow: unknown[]): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): unknown;
  log(): unknown;
}
// The helper ships no types; only the calls used here are declared.
const helper = require('node-red-node-test-helper') as TestHelper;
initNodeRed(helper);

type TestNode = { on(ev: string, fn: (msg: Record<string, unknown>) => void): void; receive(msg: unknown): void };
const nodes = [clientNode, inNode, commandNode, serverNode, pointNode, outNode];
const next = (n: TestNode) => new Promise<Record<string, unknown>>((r) => n.on('input', (m) => r(m)));
const cleanup: Array<() => unknown> = [];

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

describe('IEC 104 Node-RED nodes', () => {
  beforeAll(() => new Promise<void>((r) => helper.startServer(() => r())));
  afterAll(() => new Promise<void>((r) => helper.stopServer(() => r())));
  afterEach(async () => {
    await helper.unload();
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('client + in + command against the simulated RTU', async () => {
    const rtu = new SimRtu({ port: 0, host: '127.0.0.1', changeEveryMs: 0 });
    const { port } = await rtu.start();
    cleanup.push(() => rtu.stop());
    await helper.load(nodes, [
      { id: 'c', type: 'gridbridge-iec104-client', hosts: `127.0.0.1:${port}`, commonAddress: '1', interrogateOnStart: true, mapping: 'points:\n  - { device: feeder, name: W, ioa: 700, type: M_ME_NC_1 }\n' },
      { id: 'in', type: 'gridbridge-iec104-in', client: 'c', ioaFrom: '700', ioaTo: '700', wires: [['h1']] },
      { id: 'cmd', type: 'gridbridge-iec104-command', client: 'c', cmdType: 'dc', ioa: '5001', sbo: true, wires: [['h2']] },
      { id: 'h1', type: 'helper' },
      { id: 'h2', type: 'helper' },
    ]);
    const point = await next(helper.getNode('h1') as TestNode);
    expect(point.topic).toBe('feeder/W');
    expect(point.payload).toMatchObject({ device: 'feeder', name: 'W', value: 12_500, quality: 'good' });
    const result = next(helper.getNode('h2') as TestNode);
    (helper.getNode('cmd') as TestNode).receive({ payload: 'on' });
    expect((await result).payload).toMatchObject({ ok: true, stage: 'term' });
    const bad = next(helper.getNode('h2') as TestNode);
    (helper.getNode('cmd') as TestNode).receive({ payload: { type: 'sc', ioa: 4242, value: 'on' } });
    expect((await bad).payload).toMatchObject({ ok: false, reason: expect.stringMatching(/COT 47/) });
  });

  it('server + point: values reach SCADA, commands leave the point node, link down refuses', async () => {
    const port = await freePort();
    await helper.load(nodes, [
      { id: 's', type: 'gridbridge-iec104-server', port: String(port), host: '127.0.0.1' },
      { id: 'p', type: 'gridbridge-iec104-point', server: 's', ca: '1', ioa: '10', pointType: 'M_ME_TF_1', commandIoa: '20', commandType: 'C_SE_NC_1', sbo: false, wires: [['h']] },
      { id: 'h', type: 'helper' },
    ]);
    const p = helper.getNode('p') as TestNode;
    p.receive({ payload: 230.5 });
    const client = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }], reconnect: false });
    cleanup.push(() => client.close());
    await client.connect();
    const gi = await client.interrogate(1);
    expect(gi.objects).toEqual([{ ioa: 10, value: 230.5, quality: {} }]);
    const out = next(helper.getNode('h') as TestNode);
    expect(await client.command({ typeId: TypeId.C_SE_NC_1, ioa: 20, value: 7 })).toMatchObject({ ok: true });
    expect((await out).payload).toMatchObject({ value: 7, type: 'C_SE_NC_1' });
    p.receive({ payload: { value: null, quality: 'not_connected' } });
    expect(await client.command({ typeId: TypeId.C_SE_NC_1, ioa: 20, value: 8 })).toMatchObject({ ok: false, reason: expect.stringMatching(/negative/) });
    expect(await client.read(10)).toMatchObject({ objects: [{ quality: { iv: true, nt: true } }] });
  });

  it('server + out: mapped Modbus points are served and SCADA commands become field writes', async () => {
    const port = await freePort();
    const mapping = 'commonAddress: 2\npoints:\n  - { device: meter1, name: W, ioa: 1001, type: M_ME_NC_1, scale: 0.001 }\ncommands:\n  - { device: inv1, name: WMaxLimPct, ioa: 2001, type: C_SE_NC_1, sbo: true, min: 0, max: 100 }\n';
    await helper.load(nodes, [
      { id: 's', type: 'gridbridge-iec104-server', port: String(port), host: '127.0.0.1', mapping },
      { id: 'o', type: 'gridbridge-iec104-out', server: 's', wires: [['h']] },
      { id: 'h', type: 'helper' },
    ]);
    const o = helper.getNode('o') as TestNode;
    o.receive({ payload: [{ device: 'meter1', name: 'W', value: 12_500, quality: 'good', receiveTime: new Date().toISOString() }, { device: 'inv1', name: 'W', value: 1, quality: 'good' }] });
    const client = new Iec104Client({ hosts: [{ host: '127.0.0.1', port }], reconnect: false, ca: 2 });
    cleanup.push(() => client.close());
    await client.connect();
    expect((await client.interrogate(2)).objects).toEqual([{ ioa: 1001, value: 12.5, quality: {} }]);
    const write = next(helper.getNode('h') as TestNode);
    expect(await client.command({ typeId: TypeId.C_SE_NC_1, ioa: 2001, value: 60, sbo: true })).toMatchObject({ ok: true, stage: 'term' });
    expect((await write).payload).toEqual({ device: 'inv1', name: 'WMaxLimPct', value: 60 });
    expect(await client.command({ typeId: TypeId.C_SE_NC_1, ioa: 2001, value: 160, sbo: true })).toMatchObject({ ok: false });
    o.receive({ payload: { device: 'inv1', name: 'W', value: null, quality: 'not_connected' } });
    expect(await client.command({ typeId: TypeId.C_SE_NC_1, ioa: 2001, value: 50, sbo: true })).toMatchObject({ ok: false, reason: expect.stringMatching(/select/) });
  });

  it('config errors show on status and node.error', async () => {
    const errors = () =>
      (helper.log() as unknown as { args: Array<[{ level: number; msg: unknown }]>; ERROR: number }).args
        .map((a) => a[0])
        .filter((m) => m.level === (helper.log() as unknown as { ERROR: number }).ERROR)
        .map((m) => String(m.msg));
    await helper.load(nodes, [{ id: 'in', type: 'gridbridge-iec104-in', client: 'nope', wires: [[]] }]);
    expect(errors().join('\n')).toMatch(/no usable iec104 client/);
    await helper.unload();
    await helper.load(nodes, [{ id: 's', type: 'gridbridge-iec104-server', port: '0', mapping: 'points: [{ device: a, name: W, ioa: -4, type: M_ME_NC_1 }]' }]);
    expect(errors().join('\n')).toMatch(/mapping points\.0\.ioa/);
  });
});
