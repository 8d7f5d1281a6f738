/** sep2 Node-RED nodes against the 2030.5 test server (mTLS on loopback). */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import clientNode from '../../nodes/sep2-client.js';
import controlNode from '../../nodes/sep2-control.js';
import telemetryNode from '../../nodes/sep2-telemetry.js';
import { ensureTestPki, type TestPki } from '../../src/sim/sep2/pki.js';
import { Sep2TestServer } from '../../src/sim/sep2/server.js';
import { parseScenario } from '../../src/sim/sep2/scenario.js';
import { initNodeRed } from '../node-red-path.js';

interface TestHelper {
  init(path: string): void;
  startServer(cb: () => void): void;
  stopServer(cb: () => void): void;
  load(nodes: unknown[], flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): unknown;
  request(): any;
}
// The helper ships no types; only the calls used here are declared.
const helper = require('node-red-node-test-helper') as TestHelper;
initNodeRed(helper);
type TestNode = { on(ev: string, fn: (msg: Record<string, unknown>) => void): void; receive(msg: unknown): void; client?: { telemetry: { stats(): { buffered: number } } } };

let dir: string;
let pki: TestPki;
let server: Sep2TestServer;

describe('2030.5 Node-RED nodes', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sep2-nodes-'));
    pki = ensureTestPki(dir);
    server = new Sep2TestServer({ pki, scenario: parseScenario('pollRate: 1\npostRate: 1\nprograms:\n  - { primacy: 1, default: { opModMaxLimW: 8000 } }\n') });
    await server.start();
    await new Promise<void>((r) => helper.startServer(() => r()));
  });
  afterAll(async () => {
    await new Promise<void>((r) => helper.stopServer(() => r()));
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => helper.unload());

  const flow = () => [
    { id: 'c', type: 'gridbridge-sep2-client', server: server.url, pin: '111115', device: 'bat', maxW: '5000', maxWh: '10000', socPoint: 'bat/SoC', telemetry: '- { device: meter, name: W, quantity: realPower }\n' },
    { id: 'ctl', type: 'gridbridge-sep2-control', client: 'c', wires: [['h']] },
    { id: 'tel', type: 'gridbridge-sep2-telemetry', client: 'c' },
    { id: 'h', type: 'helper' },
  ];
  const creds = () => ({ c: { cert: pki.clientCert, key: pki.clientKey, ca: pki.caCert } });

  it('control node emits the default control, then an event as a WSet intent with an expiry', async () => {
    server.addControl({ start: 3, duration: 30, base: { opModFixedW: -5000 } });
    await helper.load([clientNode, controlNode, telemetryNode], flow(), creds());
    const msgs: Array<Record<string, unknown>> = [];
    (helper.getNode('h') as TestNode).on('input', (m) => msgs.push(m));
    const waitFor = async (pred: () => boolean) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(pred()).toBe(true);
    };
    const intents = (m: Record<string, unknown>) => m.payload as Array<{ target: { name: string }; value?: unknown; cap?: number; validTo: number }>;
    await waitFor(() => msgs.some((m) => intents(m).some((i) => i.target.name === 'WMaxLimPct' && i.cap === 80)));
    await waitFor(() => msgs.some((m) => intents(m).some((i) => i.target.name === 'WSet')));
    const w = msgs.flatMap(intents).find((i) => i.target.name === 'WSet')!;
    expect(w.value).toBe(-2500);
    expect(w.validTo).toBeGreaterThan(Date.now());
  });

  it('telemetry node accepts points and refuses malformed payloads', async () => {
    await helper.load([clientNode, controlNode, telemetryNode], flow(), creds());
    const tel = helper.getNode('tel') as TestNode;
    const errors: unknown[] = [];
    (tel as unknown as { error: (e: unknown) => void }).error = (e) => errors.push(e);
    tel.receive({ payload: [{ device: 'meter', name: 'W', value: 1200 }, { device: 'bat', name: 'SoC', value: 64.5 }] });
    tel.receive({ payload: { device: 'meter', value: 'x' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(errors.length).toBe(1);
    await new Promise((r) => setTimeout(r, 2500));
    expect(server.derResources.get('DERStatus')).toMatchObject({ stateOfChargeStatus: { value: 6450 } });
    tel.receive({ topic: 'sep2/ratings', payload: { maxW: 6000, maxWh: 20000 } });
    tel.receive({ topic: 'sep2/ratings', payload: { maxW: -1 } });
    await new Promise((r) => setTimeout(r, 500));
    expect(errors.length).toBe(2);
    expect(server.derResources.get('DERSettings')).toMatchObject({ setMaxW: { value: 6000 }, setMaxWh: { value: 20000 } });
    expect(server.derResources.get('DERCapability')).toMatchObject({ rtgMaxW: { value: 6000 } });
  });

  it('the editor sees the deployed certificates: subject, expiry, LFDI/SFDI, never the key', async () => {
    await helper.load([clientNode, controlNode, telemetryNode], flow(), creds());
    const r = await helper.request().get('/gridbridge/certs/c').expect(200);
    expect(r.body.device.certificates[0]).toMatchObject({ lfdi: pki.client.lfdi, sfdi: pki.client.sfdi, ca: false });
    expect(r.body.ca.certificates[0].ca).toBe(true);
    expect(typeof r.body.device.certificates[0].daysLeft).toBe('number');
    expect(JSON.stringify(r.body)).not.toMatch(/PRIVATE KEY/);
    await helper.request().get('/gridbridge/certs/nope').expect(404);
  });

  it('a client without credentials reports a configuration error', async () => {
    await helper.load([clientNode, controlNode, telemetryNode], flow());
    const c = helper.getNode('c') as unknown as { configError?: string };
    expect(c.configError).toMatch(/certificate/);
  });
});
