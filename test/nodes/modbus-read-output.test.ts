import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { loadProfileFile } from '../../src/runtime/validate.js';
import portNode from '../../nodes/modbus-port.js';
import deviceNode from '../../nodes/modbus-device.js';
import readNode from '../../nodes/modbus-read.js';
import { initNodeRed } from '../node-red-path.js';

const root = join(__dirname, '..', '..');
initNodeRed(helper);
let sim: ModbusSimulator;
let simPort = 0;

beforeAll(async () => {
  const profile = loadProfileFile(join(root, 'device-profiles', 'eastron-sdm630.yaml')).profile!;
  sim = new ModbusSimulator({ units: [{ unitId: 2, profile }] });
  simPort = (await sim.listenTcp(0, '127.0.0.1')).port;
});
afterAll(async () => sim.close());
afterEach(async () => helper.unload());

const flow = (read: object) => [
  { id: 'p1', type: 'gridbridge-modbus-port', transport: 'tcp', host: '127.0.0.1', tcpPort: String(simPort), timeoutMs: '500', retries: '0' },
  { id: 'd1', type: 'gridbridge-modbus-device', port: 'p1', profile: 'eastron-sdm630', unitId: '2', deviceId: 'meter', pollFast: '100' },
  { id: 'r1', type: 'gridbridge-modbus-read', device: 'd1', wires: [['h1']], ...read },
  { id: 'h1', type: 'helper' },
];

function first(): Promise<any> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no message')), 8000);
    helper.getNode('h1').once('input', (m: any) => { clearTimeout(t); resolve(m); });
  });
}

describe('modbus read output modes', () => {
  it('object mode: {name: value} with units, qualities and the points beside it; f32 values rounded to 7 digits', async () => {
    await helper.load([portNode, deviceNode, readNode], flow({ mode: 'object' }));
    const m = await first();
    expect(Array.isArray(m.payload)).toBe(false);
    expect(m.topic).toBe('meter');
    const names = Object.keys(m.payload);
    expect(names.length).toBeGreaterThan(0);
    expect(names.sort()).toEqual(m.points.map((p: any) => p.name).sort());
    for (const n of names) {
      expect(m.quality[n]).toBe(m.points.find((p: any) => p.name === n).quality.code);
      const v = m.payload[n];
      if (typeof v === 'number') expect(Number(v.toPrecision(7))).toBe(v);
    }
  });

  it('round off: values exactly as decoded', async () => {
    await helper.load([portNode, deviceNode, readNode], flow({ mode: 'object', round: false }));
    const msgs: any[] = [];
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no unrounded f32 seen')), 8000);
      helper.getNode('h1').on('input', (m: any) => {
        msgs.push(m);
        // A moving f32 value almost never has 7 significant digits exactly: unrounded output shows more.
        if (Object.values(m.payload).some((v) => typeof v === 'number' && Number(v.toPrecision(7)) !== v)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    expect(msgs.length).toBeGreaterThan(0);
  });

  it('Node-RED mode: /gridbridge/metrics on the admin API has the port counters and point ages; /gridbridge/health', async () => {
    await helper.load([portNode, deviceNode, readNode], flow({ mode: 'object' }));
    await first();
    const res = await helper.request().get('/gridbridge/metrics').expect(200);
    const text: string = res.text;
    expect(text).toMatch(/^gridbridge_modbus_responses_total\{connection="[^"]+"\} [1-9]\d*$/m);
    expect(text).toMatch(/^gridbridge_point_age_seconds\{point="meter\/W"\} [\d.e-]+$/m);
    const h = await helper.request().get('/gridbridge/health').expect(200);
    expect(h.body).toEqual({ status: 'ok' });
  });
});
