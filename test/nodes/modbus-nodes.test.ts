import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { loadProfileFile } from '../../src/runtime/validate.js';
import portNode from '../../nodes/modbus-port.js';
import deviceNode from '../../nodes/modbus-device.js';
import readNode from '../../nodes/modbus-read.js';
import writeNode from '../../nodes/modbus-write.js';
import { initNodeRed } from '../node-red-path.js';

const root = join(__dirname, '..', '..');
const nodes = [portNode, deviceNode, readNode, writeNode];

initNodeRed(helper);

let sim: ModbusSimulator;
let simPort = 0;

beforeAll(async () => {
  const profile = loadProfileFile(join(root, 'device-profiles', 'dcbel-station-inverter.yaml')).profile!;
  sim = new ModbusSimulator({ units: [{ unitId: 1, profile }] });
  simPort = (await sim.listenTcp(0, '127.0.0.1')).port;
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  await helper.unload();
});

function flow(extra: object[] = [], profile = 'dcbel-station-inverter') {
  return [
    { id: 'p1', type: 'gridbridge-modbus-port', transport: 'tcp', host: '127.0.0.1', tcpPort: String(simPort), timeoutMs: '500', retries: '0' },
    { id: 'd1', type: 'gridbridge-modbus-device', port: 'p1', profile, unitId: '1', deviceId: 'inverter', site: 'lab' },
    ...extra,
  ];
}

function waitFor<T>(fn: (resolve: (v: T) => void) => void, ms = 8000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out waiting')), ms);
    fn((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

describe('modbus nodes', () => {
  it('read node emits scaled canonical points from the simulator', async () => {
    await helper.load(nodes, flow([{ id: 'r1', type: 'gridbridge-modbus-read', device: 'd1', mode: 'batch', wires: [['h1']] }, { id: 'h1', type: 'helper' }]));
    const h1 = helper.getNode('h1');
    const pts = await waitFor<any[]>((resolve) => {
      const seen = new Map<string, any>();
      h1.on('input', (msg: any) => {
        for (const p of msg.payload) seen.set(p.name, p);
        if (seen.has('W') && seen.has('Hz')) resolve([...seen.values()]);
      });
    });
    const w = pts.find((p) => p.name === 'W');
    expect(w.id).toBe('lab/inverter/W');
    expect(w.unit).toBe('W');
    expect(w.quality.code).toBe('good');
    expect(typeof w.value).toBe('number');
    const hz = pts.find((p) => p.name === 'Hz');
    expect(hz.value).toBeGreaterThan(45);
    expect(hz.value).toBeLessThan(65);
  });

  it('write node writes within limits and refuses outside them before the bus', async () => {
    await helper.load(nodes, flow([{ id: 'w1', type: 'gridbridge-modbus-write', device: 'd1', wires: [['h1']] }, { id: 'h1', type: 'helper' }]));
    const w1 = helper.getNode('w1');
    const h1 = helper.getNode('h1');
    const results: any[] = [];
    const got = (n: number) => waitFor<void>((resolve) => h1.on('input', (msg: any) => { results.push(msg); if (results.length >= n) resolve(); }));
    const two = got(2);
    w1.receive({ payload: { name: 'WMaxLimPct', value: 50 }, gridbridgeCommand: 'c1' });
    w1.receive({ payload: { name: 'WMaxLimPct', value: 500 } });
    await two;
    const ok = results.find((m) => m.payload.value === 50);
    const bad = results.find((m) => m.payload.value === 500);
    expect(ok.payload.ok).toBe(true);
    expect(ok.gridbridgeCommand).toBe('c1');
    expect(bad.payload.ok).toBe(false);
    expect(bad.payload.failure).toBe('refused');
    expect(bad.payload.reason).toMatch(/max|limit|range/i);
  });

  it('write node refuses a malformed message with a reason', async () => {
    await helper.load(nodes, flow([{ id: 'w1', type: 'gridbridge-modbus-write', device: 'd1', wires: [['h1']] }, { id: 'h1', type: 'helper' }]));
    const msg = await waitFor<any>((resolve) => {
      helper.getNode('h1').on('input', resolve);
      helper.getNode('w1').receive({ payload: { value: 1 } });
    });
    expect(msg.payload.ok).toBe(false);
    expect(msg.payload.reason).toMatch(/payload\.name/);
  });

  it('a missing profile is shown on the read node status', async () => {
    await helper.load(nodes, flow([{ id: 'r1', type: 'gridbridge-modbus-read', device: 'd1', wires: [[]] }], 'no-such-profile'));
    const r1 = helper.getNode('r1') as any;
    const d1 = helper.getNode('d1') as any;
    expect(d1.configError).toMatch(/profile "no-such-profile" not found/);
    const shown = r1.status.getCalls().map((c: any) => c.args[0]);
    expect(shown).toContainEqual(expect.objectContaining({ fill: 'red', shape: 'ring', text: expect.stringMatching(/no-such-profile/) }));
  });

  it('an unreachable device goes offline/down on status without stopping the node', async () => {
    const f = flow([{ id: 'r1', type: 'gridbridge-modbus-read', device: 'd1', wires: [['h1']] }, { id: 'h1', type: 'helper' }]);
    (f[1] as any).unitId = '9'; // the simulator serves unit 1 only
    await helper.load(nodes, f);
    const h1 = helper.getNode('h1');
    const pt = await waitFor<any>((resolve) => h1.on('input', (msg: any) => { const bad = msg.payload.find((p: any) => p.quality.code !== 'good'); if (bad) resolve(bad); }));
    expect(['timeout', 'device_exception', 'not_connected']).toContain(pt.quality.code);
    expect(pt.value).toBeNull();
  });

  it('a missing serial adapter shows on the status dot, is retried, and nothing crashes', async () => {
    await helper.load(nodes, [
      { id: 'p1', type: 'gridbridge-modbus-port', transport: 'rtu', serialPath: '/dev/ttyGRIDBRIDGE-NOPE', baudRate: '9600', parity: 'none', dataBits: '8', stopBits: '1', timeoutMs: '300', retries: '0' },
      { id: 'd1', type: 'gridbridge-modbus-device', port: 'p1', profile: 'eastron-sdm630', unitId: '1', deviceId: 'meter' },
      { id: 'r1', type: 'gridbridge-modbus-read', device: 'd1', wires: [[]] },
    ]);
    const r1 = helper.getNode('r1') as any;
    const statuses = () => r1.status.getCalls().map((c: any) => c.args[0]);
    for (let i = 0; i < 100 && !statuses().some((s: any) => s.fill === 'red'); i++) await new Promise((r) => setTimeout(r, 50));
    const red = statuses().find((s: any) => s.fill === 'red');
    expect(red?.text).toMatch(/down|ttyGRIDBRIDGE-NOPE|No such file|cannot open/i);
  });
});
