import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { join } from 'node:path';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import siteNode from '../../nodes/site.js';
import siteControlNode from '../../nodes/site-control.js';
import { initNodeRed } from '../node-red-path.js';
import { startStation } from '../runtime/station.js';

// site control's status dot follows the site (so a deployed flow shows green once the site is up), until a control
// is submitted: then it shows that control's outcome.
initNodeRed(helper);
const root = join(__dirname, '..', '..');
let sim: ModbusSimulator;
let port: number;
beforeAll(async () => {
  ({ sim, port } = await startStation({ 1: 'dcbel-station-inverter' }));
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  await helper.unload();
});

async function until<T>(f: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('gridbridge-site-control status', () => {
  it('turns green when the site is up, then shows the outcome of a control', async () => {
    const yaml = `mapping: 1
site: { id: ctlstatus }
profileDirs: [${JSON.stringify(join(root, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${port}, timeoutMs: 500 }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1 }
controls:
  - { device: inverter, name: WMaxLimPct, default: 100 }
`;
    const flow = [
      { id: 's', type: 'gridbridge-site', name: 'lab', source: 'inline', yaml },
      { id: 'c', type: 'gridbridge-site-control', site: 's', sourceClass: 'owner', validForS: '60', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await helper.load([siteNode, siteControlNode], flow);
    const c = helper.getNode('c') as any;
    const calls = () => c.status.getCalls().map((x: any) => x.args[0]) as Array<{ fill: string; text: string }>;
    const green = await until(() => calls().find((s) => s.fill === 'green'), 'green status');
    expect(green.text).toMatch(/^\d+\/\d+ up$/);
    const result = new Promise<any>((r) => helper.getNode('out').on('input', r));
    c.receive({ payload: { device: 'inverter', name: 'WMaxLimPct', value: 60, validFor: 60 } });
    expect((await result).payload).toMatchObject({ outcome: 'applied', field: { state: 'held' } });
    expect(calls().at(-1)).toMatchObject({ fill: 'green', text: 'inverter/WMaxLimPct: applied, held' });
  });
});
