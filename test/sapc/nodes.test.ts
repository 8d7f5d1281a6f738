import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import portNode from '../../nodes/sapc-port.js';
import arbiterNode from '../../nodes/sapc-arbiter.js';
import inNode from '../../nodes/sapc-in.js';
import outNode from '../../nodes/sapc-out.js';
import arbitrateNode from '../../nodes/sapc-arbitrate.js';
import rigNode from '../../nodes/sapc-rig.js';
import { wrapBody, decodeText } from '../../src/protocols/sapc/frame.js';
import type { SapcPortNode } from '../../nodes/sapc-common.js';
import { initNodeRed } from '../node-red-path.js';

interface TestHelper {
  init(path: string): void;
  startServer(cb: () => void): void;
  stopServer(cb: () => void): void;
  load(nodes: unknown[], flow: unknown[]): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): unknown;
}
// The helper ships no types; only the calls used here are declared.
const helper = require('node-red-node-test-helper') as TestHelper;
initNodeRed(helper);

type TestNode = { on(ev: string, fn: (msg: Record<string, unknown>) => void): void; receive(msg: unknown): void };
const nodes = [portNode, arbiterNode, inNode, outNode, arbitrateNode, rigNode];
const T = () => Date.now();
const iso = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d+/g, '');

describe('SAPC Node-RED nodes', () => {
  beforeAll(() => new Promise<void>((r) => helper.startServer(() => r())));
  afterAll(() => new Promise<void>((r) => helper.stopServer(() => r())));
  afterEach(async () => {
    await helper.unload();
  });

  it('arbitrate: submits intents, reports results and effective changes', async () => {
    const flow = [
      { id: 'arb', type: 'gridbridge-sapc-arbiter', targets: '[{"device":"ev1","name":"SAPCLevel","min":0,"max":100,"default":100}]' },
      { id: 'n1', type: 'gridbridge-sapc-arbitrate', arbiter: 'arb', wires: [['res'], ['eff']] },
      { id: 'res', type: 'helper' },
      { id: 'eff', type: 'helper' },
    ];
    await helper.load(nodes, flow);
    const n1 = helper.getNode('n1') as TestNode;
    const res = helper.getNode('res') as TestNode;
    const eff = helper.getNode('eff') as TestNode;
    const effs: unknown[] = [];
    eff.on('input', (m) => effs.push(m.payload));
    const result = new Promise<Record<string, unknown>>((r) => res.on('input', (m) => r(m.payload as Record<string, unknown>)));
    n1.receive({ payload: { id: 'x1', source: 'mqtt:test', sourceClass: 'supplier', target: { device: 'ev1', name: 'SAPCLevel' }, value: 130, validTo: T() + 60_000 } });
    expect(await result).toMatchObject({ intentId: 'x1', outcome: 'clipped', effective: 100 });
    n1.receive({ payload: { id: 'x2', source: 'mqtt:test', sourceClass: 'load_controller', target: { device: 'ev1', name: 'SAPCLevel' }, cap: 30, validTo: new Date(T() + 60_000).toISOString() } });
    await new Promise((r) => setTimeout(r, 20));
    expect(effs.at(-1)).toMatchObject({ value: 30, basis: 'cap' });
  });

  it('arbitrate: a payload without validTo is refused with an error', async () => {
    await helper.load(nodes, [
      { id: 'arb', type: 'gridbridge-sapc-arbiter' },
      { id: 'n1', type: 'gridbridge-sapc-arbitrate', arbiter: 'arb', wires: [[], []] },
    ]);
    const n1 = helper.getNode('n1') as TestNode & { error: (...a: unknown[]) => void };
    const err = new Promise<string>((r) => n1.on('call:error', (call) => r(String((call as unknown as { firstArg: unknown }).firstArg))));
    n1.receive({ payload: { id: 'x', source: 's', sourceClass: 'owner', target: { device: 'a', name: 'b' }, cap: 1 } });
    expect(await err).toMatch(/validTo/);
  });

  it('sapc in: a command received on the port is applied through the arbiter; bad level NAKed', async () => {
    await helper.load(nodes, [
      { id: 'port', type: 'gridbridge-sapc-port', path: '/nonexistent/ttyGB', baudRate: '9600', heartbeatS: '60', ackTimeoutMs: '100', retries: '0' },
      { id: 'arb', type: 'gridbridge-sapc-arbiter' },
      { id: 'in', type: 'gridbridge-sapc-in', port: 'port', arbiter: 'arb', slot: '1', direction: 'import', device: 'ev1', point: 'SAPCLevel', defaultLevel: '100', wires: [['dec'], ['eff']] },
      { id: 'dec', type: 'helper' },
      { id: 'eff', type: 'helper' },
    ]);
    const port = helper.getNode('port') as unknown as SapcPortNode;
    const sent: string[] = [];
    port.sapc!.session.on('sent', (t) => sent.push(t));
    const dec = helper.getNode('dec') as TestNode;
    const eff = helper.getNode('eff') as TestNode;
    const decisions: Array<Record<string, unknown>> = [];
    dec.on('input', (m) => decisions.push(m.payload as Record<string, unknown>));
    const effective = new Promise<Record<string, unknown>>((r) => eff.on('input', (m) => r(m.payload as Record<string, unknown>)));
    const now = T();
    port.sapc!.session.receive(wrapBody(`1,CMD,5,slot=1,dir=IMP,lvl=35,src=LC,to=${iso(now + 600_000)},evt=n1,ts=${iso(now)}`));
    expect(await effective).toMatchObject({ value: 35, basis: 'cap' });
    expect(decodeText(sent[0]!)).toMatchObject({ type: 'ACK', seq: 5, state: 'applied' });
    port.sapc!.session.receive(wrapBody(`1,CMD,6,slot=1,dir=IMP,lvl=101,src=LC,to=${iso(now + 600_000)},evt=n2,ts=${iso(now)}`));
    expect(decodeText(sent[1]!)).toMatchObject({ type: 'NAK', seq: 6, reason: 'LEVEL_RANGE' });
    await new Promise((r) => setTimeout(r, 20));
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ answer: { ok: true, state: 'applied' }, result: { outcome: 'applied' } });
  });

  it('sapc out: reports no answer as an error when the line is dead', async () => {
    await helper.load(nodes, [
      { id: 'port', type: 'gridbridge-sapc-port', path: '/nonexistent/ttyGB', baudRate: '9600', heartbeatS: '60', ackTimeoutMs: '50', retries: '1' },
      { id: 'out', type: 'gridbridge-sapc-out', port: 'port', source: 'lc', slot: '1', wires: [[]] },
    ]);
    const out = helper.getNode('out') as TestNode;
    const err = new Promise<string>((r) => out.on('call:error', (call) => r(String((call as unknown as { firstArg: unknown }).firstArg))));
    out.receive({ payload: { level: 50, for: '10m' } });
    expect(await err).toMatch(/no answer/);
    const bad = new Promise<string>((r) => out.on('call:error', (call) => r(String((call as unknown as { firstArg: unknown }).firstArg))));
    out.receive({ payload: { level: 'high', for: 60 } });
    expect(await bad).toMatch(/level/);
  });

  it('sapc rig: runs scenarios and sends the report with a summary', async () => {
    await helper.load(nodes, [
      { id: 'rig', type: 'gridbridge-sapc-rig', baud: '9600', applyDelayMs: '100', realTime: false, wires: [['h']] },
      { id: 'h', type: 'helper' },
    ]);
    const got = new Promise<Record<string, unknown>>((r) => (helper.getNode('h') as TestNode).on('input', (m) => r(m)));
    (helper.getNode('rig') as TestNode).receive({ payload: { scenarios: ['lc-limit-and-expiry', 'level-out-of-range'] } });
    const msg = await got;
    expect(msg.payload).toMatchObject({ passed: 2, failed: 0 });
    expect(String(msg.summary)).toMatch(/lc-limit-and-expiry \| PASS/);
  });
});

describe('flows/sapc-override-test.json', () => {
  beforeAll(() => new Promise<void>((r) => helper.startServer(() => r())));
  afterAll(() => new Promise<void>((r) => helper.stopServer(() => r())));

  it('writes the JSON report, the Markdown summary and the HTML report', async () => {
    const { readFileSync, existsSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'gb-sapc-flow-'));
    const flow = (JSON.parse(readFileSync(join(__dirname, '../../flows/sapc-override-test.json'), 'utf8')) as Array<Record<string, unknown>>)
      .filter((n) => n.type !== 'inject' && n.type !== 'debug' && n.type !== 'comment')
      .map((n) => JSON.parse(JSON.stringify(n).replaceAll('/tmp/gridbridge-sapc-rig', dir)) as Record<string, unknown>);
    const change = require('@node-red/nodes/core/function/15-change.js');
    const file = require('@node-red/nodes/core/storage/10-file.js');
    await helper.load([...nodes, change, file], flow);
    (helper.getNode('sapc_rig') as TestNode).receive({ payload: {} });
    for (let i = 0; i < 200 && !['json', 'md', 'html'].every((x) => existsSync(join(dir, `sapc-rig.${x}`))); i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 50));
    const report = JSON.parse(readFileSync(join(dir, 'sapc-rig.json'), 'utf8')) as { failed: number; scenarios: Array<{ latencyMs: number[] }> };
    expect(report.failed).toBe(0);
    expect(report.scenarios[0]!.latencyMs.length).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'sapc-rig.md'), 'utf8')).toMatch(/Override → compliant/);
    const html = readFileSync(join(dir, 'sapc-rig.html'), 'utf8');
    expect(html.match(/<svg /g)?.length).toBe(report.scenarios.length);
    expect(html).toMatch(/GridBridge \d+\.\d+\.\d+, SSP-1/);
    await helper.unload();
  });
});
