import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import mqtt from 'mqtt';
import { join } from 'node:path';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/protocols/mqtt/broker.js';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import siteNode from '../../nodes/site.js';
import siteInNode from '../../nodes/site-in.js';
import siteControlNode from '../../nodes/site-control.js';
import { initNodeRed } from '../node-red-path.js';
import { startStation } from '../runtime/station.js';

initNodeRed(helper);

const root = join(__dirname, '..', '..');
let broker: EmbeddedBroker;
let sim: ModbusSimulator;
let simPort: number;
const simWrites: Array<{ unitId: number; changes: Array<{ name: string; value: unknown }> }> = [];

beforeAll(async () => {
  broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
  ({ sim, port: simPort } = await startStation({ 1: 'dcbel-station-inverter', 2: 'dcbel-station-battery' }));
  sim.on('write', (w) => simWrites.push(w));
});
afterAll(async () => {
  await sim.close();
  await broker.close();
});
afterEach(async () => {
  await helper.unload();
  delete process.env.GB_TEST_SIM_PORT;
});

const mapping = () => `mapping: 1
site: { id: nrlab }
profileDirs: [${JSON.stringify(join(root, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: \${GB_TEST_SIM_PORT:-1}, timeoutMs: 500 }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1, pollClasses: { fast: 200 } }
  - { id: battery, profile: dcbel-station-battery, connection: bus, unit: 2, pollClasses: { fast: 200 } }
controls:
  - { device: inverter, name: WMaxLimPct, default: 100 }
  - { device: battery, name: WSet, default: 0 }
upstream:
  mqtt: { commands: true }
`;

async function until<T>(f: () => T | undefined, what: string, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('gridbridge-site, site in, site control', () => {
  it('runs the mapping: filtered points out, MQTT upstream from the mapping, a control through the arbiter to the device', async () => {
    process.env.GB_TEST_SIM_PORT = String(simPort);
    await helper.load(
      [siteNode, siteInNode, siteControlNode],
      [
        { id: 's1', type: 'gridbridge-site', source: 'inline', yaml: mapping(), mqttUrl: broker.url },
        { id: 'in1', type: 'gridbridge-site-in', site: 's1', devices: 'battery', names: 'SoC,W*', mode: 'each', wires: [['pts'], ['st'], ['au']] },
        { id: 'ctl', type: 'gridbridge-site-control', site: 's1', sourceClass: 'dso', validForS: '60', wires: [['res']] },
        { id: 'pts', type: 'helper' },
        { id: 'st', type: 'helper' },
        { id: 'au', type: 'helper' },
        { id: 'res', type: 'helper' },
      ],
    );
    const sub = mqtt.connect(broker.url);
    const seen = new Map<string, string>();
    sub.on('message', (t, p) => seen.set(t, p.toString()));
    await sub.subscribeAsync('gridbridge/nrlab/#', { qos: 1 });
    const points: any[] = [];
    const statuses: any[] = [];
    const audits: any[] = [];
    helper.getNode('pts').on('input', (m: any) => points.push(m));
    helper.getNode('st').on('input', (m: any) => statuses.push(m.payload));
    helper.getNode('au').on('input', (m: any) => audits.push(m));

    // Points: only the battery's SoC and W… points, one message each, topic = point id.
    await until(() => points.some((m) => m.payload.name === 'SoC'), 'battery SoC');
    expect(points.every((m) => m.payload.device === 'battery' && (m.payload.name === 'SoC' || m.payload.name.startsWith('W')))).toBe(true);
    expect(points.find((m) => m.payload.name === 'SoC').topic).toBe('nrlab/battery/SoC');
    expect(points.find((m) => m.payload.name === 'SoC').payload.quality).toBe('good');
    // The site's own MQTT upstream publishes every device (the inverter too), as `gridbridge run` would.
    await until(() => seen.has('gridbridge/nrlab/inverter/W'), 'MQTT inverter/W');
    expect(JSON.parse(seen.get('gridbridge/nrlab/inverter/W')!).quality).toBe('good');
    // Status output (messages sent before this test listened are gone) and the node's dot over every component.
    const dot = await until(() => (helper.getNode('in1') as any).status.getCalls().map((c: any) => c.args[0]).find((s: any) => s.fill === 'green'), 'green status');
    expect(dot.text).toMatch(/^(\d+)\/\1 up$/);

    // A control: WSet −1500 W as a DSO for 60 s → arbiter applies it → written to unit 2 → result says held.
    const result = new Promise<any>((r) => helper.getNode('res').on('input', r));
    helper.getNode('ctl').receive({ payload: { device: 'battery', name: 'WSet', value: -1500, id: 'nr-1' } });
    const r = await result;
    expect(r.topic).toBe('battery/WSet');
    expect(r.payload).toMatchObject({ intentId: 'nr-1', outcome: 'applied', effective: -1500, field: { state: 'held', value: -1500 } });
    expect(r.payload.validTo - r.payload.validFrom).toBe(60_000);
    expect(simWrites.some((w) => w.unitId === 2 && w.changes.some((c) => c.name === 'WSet' && c.value === -1500))).toBe(true);
    await until(() => audits.some((a) => a.topic === 'audit' && a.payload.intentId === 'nr-1' && a.payload.sourceClass === 'dso'), 'audit of nr-1');
    expect(audits.some((a) => a.topic === 'write' && a.payload.ok === true && a.payload.value === -1500)).toBe(true);

    // Listed, then cancelled: the fail-safe default (0 W) is written back.
    const listed = new Promise<any>((r) => helper.getNode('res').on('input', r));
    helper.getNode('ctl').receive({ topic: 'controls', payload: {} });
    expect((await listed).payload.map((i: any) => i.id)).toContain('nr-1');
    const before = simWrites.length;
    helper.getNode('ctl').receive({ topic: 'cancel', payload: 'nr-1' });
    await until(() => simWrites.slice(before).some((w) => w.unitId === 2 && w.changes.some((c) => c.name === 'WSet' && c.value === 0)), 'default WSet 0 written');
    await sub.endAsync();
  });

  it('refuses a control without a valid source class or value, naming the field', async () => {
    process.env.GB_TEST_SIM_PORT = String(simPort);
    await helper.load(
      [siteNode, siteControlNode],
      [
        { id: 's1', type: 'gridbridge-site', source: 'inline', yaml: mapping(), mqttUrl: broker.url },
        { id: 'ctl', type: 'gridbridge-site-control', site: 's1', wires: [[]] },
      ],
    );
    const ctl = helper.getNode('ctl');
    const err = () => new Promise<any>((r) => ctl.on('call:error', r));
    let e = err();
    ctl.receive({ payload: { device: 'battery', name: 'WSet', value: 1, sourceClass: 'boss' } });
    expect(String((await e).args[0])).toMatch(/payload\.sourceClass/);
    e = err();
    ctl.receive({ payload: { device: 'battery', name: 'WSet', value: 1, cap: 2 } });
    expect(String((await e).args[0])).toMatch(/exactly one of value.*or cap/);
    e = err();
    ctl.receive({ payload: { device: 'battery', name: 'WSet', value: 1, validFor: -5 } });
    expect(String((await e).args[0])).toMatch(/payload\.validFor/);
  });

  it('rejects up front a control on a read-only or unknown point, saying why, and writes nothing', async () => {
    process.env.GB_TEST_SIM_PORT = String(simPort);
    await helper.load(
      [siteNode, siteControlNode],
      [
        { id: 's1', type: 'gridbridge-site', source: 'inline', yaml: mapping(), mqttUrl: broker.url },
        { id: 'ctl', type: 'gridbridge-site-control', site: 's1', sourceClass: 'owner', wires: [['res']] },
        { id: 'res', type: 'helper' },
      ],
    );
    const before = simWrites.length;
    const answer = (payload: object) => {
      const r = new Promise<any>((res) => helper.getNode('res').once('input', res));
      helper.getNode('ctl').receive({ payload });
      return r;
    };
    const ro = await answer({ device: 'battery', name: 'SoC', value: 50 });
    expect(ro.payload).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/battery\/SoC is read-only \(profile dcbel-station-battery\)/) });
    expect((await answer({ device: 'battery', name: 'NoSuch', value: 1 })).payload).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/has no point "NoSuch"/) });
    expect((await answer({ device: 'heatpump', name: 'WSet', value: 1 })).payload).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/unknown device "heatpump"/) });
    // A writable point is still accepted.
    expect((await answer({ device: 'battery', name: 'WSet', value: -100 })).payload).toMatchObject({ outcome: 'applied' });
    expect(simWrites.slice(before).some((w) => w.changes.some((c) => c.name === 'SoC'))).toBe(false);
  });

  it('shows mapping problems located to their line on the site and on the nodes using it', async () => {
    const bad = mapping().replace('unit: 2', 'unit: 1').replace('${GB_TEST_SIM_PORT:-1}', '${GB_TEST_UNSET_VAR}');
    await helper.load(
      [siteNode, siteInNode],
      [
        { id: 's1', type: 'gridbridge-site', source: 'inline', yaml: bad, name: 'bad' },
        { id: 'in1', type: 'gridbridge-site-in', site: 's1', wires: [[], [], []] },
      ],
    );
    const s1 = helper.getNode('s1') as any;
    const msg = s1.error.getCalls().map((c: any) => String(c.args[0])).join('\n');
    expect(msg).toMatch(/site-bad\.yaml:5.*GB_TEST_UNSET_VAR is not set/);
    // The unset variable does not hide the other problem of the mapping (one pass names both).
    expect(msg).toMatch(/site-bad\.yaml:8.*unit 1 on connection "bus" is already used by device "inverter"/);
    const in1 = helper.getNode('in1') as any;
    await new Promise((r) => setTimeout(r, 0));
    const st = in1.status.getCalls().map((c: any) => c.args[0]);
    expect(st.at(-1)).toMatchObject({ fill: 'red', shape: 'ring' });
    expect(st.at(-1).text).toMatch(/mapping: 2 problem/);

    await helper.unload();
    process.env.GB_TEST_SIM_PORT = '1502';
    await helper.load([siteNode], [{ id: 's1', type: 'gridbridge-site', source: 'inline', yaml: mapping().replace('unit: 2', 'unit: 1'), name: 'dup' }]);
    const msg2 = (helper.getNode('s1') as any).error.getCalls().map((c: any) => String(c.args[0])).join('\n');
    expect(msg2).toMatch(/site-dup\.yaml:8.*unit 1 on connection "bus" is already used by device "inverter"/);
  });

  it('answers the dialog check with located problems', async () => {
    await helper.load([siteNode], [{ id: 's1', type: 'gridbridge-site', source: 'file', file: 'mappings/demo-home-station.yaml', mqttUrl: broker.url }]);
    const post = async (body: object) => (await helper.request().post('/gridbridge/site/check').send(body).expect(200)).body;
    const ok = await post({ source: 'file', file: 'mappings/demo-home-station.yaml' });
    expect(ok).toMatchObject({ errors: [], site: 'demo-home', devices: ['inverter', 'battery', 'meter', 'ev', 'ats'], upstreams: ['mqtt'] });
    const bad = await post({ source: 'inline', yaml: 'mapping: 1\nsite: { id: x }\nconnections: {}\ndevices: []\n', name: 'x' });
    expect(bad.errors[0]).toMatchObject({ line: 4, path: 'devices' });
  });
});
