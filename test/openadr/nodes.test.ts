import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import venNode from '../../nodes/openadr-ven.js';
import controlNode from '../../nodes/openadr-control.js';
import reportNode from '../../nodes/openadr-report.js';
import { systemClock } from '../../src/core/clock.js';
import { VtnSim20b } from '../../src/sim/openadr/vtn20b.js';
import { initNodeRed } from '../node-red-path.js';
import { testPki } from './pki.js';

interface TestHelper {
  init(path: string): void;
  startServer(cb: () => void): void;
  stopServer(cb: () => void): void;
  load(nodes: unknown[], flow: unknown[], credentials?: unknown): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): unknown;
}
const helper = require('node-red-node-test-helper') as TestHelper;
initNodeRed(helper);
type TestNode = { on(ev: string, fn: (msg: Record<string, unknown>) => void): void; receive(msg: unknown): void; error?: unknown };

const nodes = [venNode, controlNode, reportNode];
const wait = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return cond();
};

describe('OpenADR Node-RED nodes', () => {
  let vtn: VtnSim20b;
  const log: Array<{ event: string; [k: string]: unknown }> = [];
  beforeAll(async () => {
    await new Promise<void>((r) => helper.startServer(() => r()));
    vtn = new VtnSim20b({ clock: systemClock, script: { vtnId: 'VTN-N', pollFreqSec: 1, steps: [] }, log: (e) => log.push(e) });
    await vtn.start();
  });
  afterAll(async () => {
    await vtn.stop();
    await new Promise<void>((r) => helper.stopServer(() => r()));
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('VEN config + control out + report in against the 2.0b VTN simulator', async () => {
    const bindings = JSON.stringify({
      reports: [{ device: 'm1', point: 'W' }],
      signals: [{ signal: 'SIMPLE', device: 'inv', point: 'WMaxLimPct', levels: { '0': 100, '1': 60, '2': 30, '3': 0 } }],
    });
    await helper.load(nodes, [
      { id: 'cfg', type: 'gridbridge-openadr-ven', version: '2.0b', vtnUrl: vtn.url, venName: 'node-ven', pollIntervalSec: '1', bindings },
      { id: 'ctl', type: 'gridbridge-openadr-control', ven: 'cfg', wires: [['out1'], ['out2']] },
      { id: 'rep', type: 'gridbridge-openadr-report', ven: 'cfg' },
      { id: 'out1', type: 'helper' },
      { id: 'out2', type: 'helper' },
    ]);
    const out1 = helper.getNode('out1') as TestNode;
    const out2 = helper.getNode('out2') as TestNode;
    const controls: Array<Record<string, unknown>> = [];
    const events: Array<Record<string, unknown>> = [];
    out1.on('input', (m) => controls.push(m));
    out2.on('input', (m) => events.push(m));
    expect(await wait(() => vtn.vens.size === 1)).toBe(true);
    const venID = [...vtn.vens.keys()][0]!;
    expect(await wait(() => vtn.ven(venID).metadata.length > 0)).toBe(true); // device registration done
    (helper.getNode('rep') as TestNode).receive({ payload: { device: 'm1', name: 'W', value: 777 } });
    vtn.requestReport(venID, { report: 'TELEMETRY_USAGE', granularity: 1, reportBack: 1, duration: 0 });
    vtn.addEvent(venID, { id: 'n-evt', signal: 'SIMPLE', type: 'level', startIn: 0, intervals: [{ duration: 60, value: 2 }], responseRequired: 'always', testEvent: false, marketContext: 'http://m' });
    expect(await wait(() => controls.length > 0 && log.some((e) => e.event === 'report'))).toBe(true);
    expect(controls[0]).toMatchObject({ topic: 'control', payload: { cap: 30, target: { device: 'inv', name: 'WMaxLimPct' } } });
    expect(typeof (controls[0]!.payload as { validTo: unknown }).validTo).toBe('string');
    expect(log.find((e) => e.event === 'report')?.value).toBe(777);
    expect(await wait(() => events.some((e) => e.topic === 'event'))).toBe(true);
  });

  it('xmlSignature: the VEN node signs with its client cert/key and refuses VTN payloads that are not signed by the VTN signing cert', async () => {
    const pki = testPki();
    const signedLog: Array<{ event: string; [k: string]: unknown }> = [];
    const signing = new VtnSim20b({ clock: systemClock, script: { vtnId: 'VTN-S', pollFreqSec: 1, steps: [] }, signature: { privateKey: pki.vtn.key, certificate: pki.vtn.cert, ca: pki.ca.cert }, log: (e) => signedLog.push(e) });
    await signing.start();
    try {
      const bindings = JSON.stringify({ signals: [{ signal: 'SIMPLE', device: 'inv', point: 'WMaxLimPct', levels: { '0': 100, '1': 60, '2': 30, '3': 0 } }] });
      const flow = (url: string) => [
        { id: 'cfg', type: 'gridbridge-openadr-ven', version: '2.0b', vtnUrl: url, venName: 'sig-node', venId: 'sig-node-1', pollIntervalSec: '1', xmlSignature: true, bindings },
        { id: 'ctl', type: 'gridbridge-openadr-control', ven: 'cfg', wires: [['out1'], []] },
        { id: 'out1', type: 'helper' },
      ];
      const creds = { cfg: { tlsCert: pki.ven.cert, tlsKey: pki.ven.key, vtnSigCert: pki.vtn.cert } };
      await helper.load(nodes, flow(signing.url), creds);
      const controls: unknown[] = [];
      (helper.getNode('out1') as TestNode).on('input', (m) => controls.push(m));
      expect(await wait(() => signing.vens.has('sig-node-1'))).toBe(true);
      signing.addEvent('sig-node-1', { id: 's-evt', signal: 'SIMPLE', type: 'level', startIn: 0, intervals: [{ duration: 60, value: 1 }], responseRequired: 'always', testEvent: false, marketContext: 'http://m' });
      expect(await wait(() => controls.length > 0)).toBe(true);
      expect(signedLog.some((e) => e.event === 'bad_payload')).toBe(false);
      await helper.unload();
      // The unsigned VTN of the other tests: nothing it sends is accepted.
      const before = log.filter((e) => e.event === 'registered').length;
      await helper.load(nodes, flow(vtn.url), creds);
      const errs: string[] = [];
      const cfg = helper.getNode('cfg') as { warn(m: unknown): void };
      const w = cfg.warn.bind(cfg);
      cfg.warn = (m: unknown) => (errs.push(String(m)), w(m));
      expect(await wait(() => errs.some((e) => /not signed/.test(e)))).toBe(true);
      expect(log.filter((e) => e.event === 'registered').length).toBe(before);
    } finally {
      await signing.stop();
    }
  });

  it('bad configuration and bad input give errors, not crashes', async () => {
    await helper.load(nodes, [
      { id: 'cfg', type: 'gridbridge-openadr-ven', version: '2.0b', vtnUrl: 'not a url', venName: 'x', bindings: '{' },
      { id: 'rep', type: 'gridbridge-openadr-report', ven: 'cfg' },
    ]);
    expect((helper.getNode('cfg') as { openadr?: unknown }).openadr).toBeUndefined();
    await helper.unload();
    await helper.load(nodes, [
      { id: 'cfg', type: 'gridbridge-openadr-ven', version: '2.0b', vtnUrl: 'http://127.0.0.1:1', venName: 'x', bindings: '{}' },
      { id: 'rep', type: 'gridbridge-openadr-report', ven: 'cfg' },
    ]);
    const rep = helper.getNode('rep') as TestNode & { error(e: unknown): void };
    const errors: string[] = [];
    const orig = rep.error.bind(rep);
    rep.error = (e: unknown) => {
      errors.push(String(e));
      orig(e);
    };
    rep.receive({ payload: { device: 'm1', value: 1 } });
    rep.receive({ payload: { device: 'm1', name: 'W', value: 1, quality: 'great' } });
    expect(await wait(() => errors.length === 2)).toBe(true);
    expect(errors[0]).toMatch(/payload.device and payload.name/);
    expect(errors[1]).toMatch(/not a quality code/);
  });
});
