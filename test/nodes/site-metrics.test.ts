import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import siteNode from '../../nodes/site.js';
import siteControlNode from '../../nodes/site-control.js';
import portNode from '../../nodes/modbus-port.js';
import { initNodeRed } from '../node-red-path.js';
import { startStation, stationMapping } from '../runtime/station.js';

// Node-RED mode: a gridbridge-site node feeds the process metrics (/gridbridge/metrics and /gridbridge/health on the
// admin API, registered with the palette) under "<site id>/…", and its control decisions go to audit.jsonl in its
// state directory; both stop when the node is removed.
initNodeRed(helper);
let sim: ModbusSimulator;
let simPort: number;
const dir = mkdtempSync(join(tmpdir(), 'gb-site-metrics-'));

beforeAll(async () => {
  ({ sim, port: simPort } = await startStation({ 1: 'dcbel-station-inverter' }));
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => helper.unload());

const mapping = (): string =>
  stationMapping('nrmetrics', simPort, { inverter: [1, 'dcbel-station-inverter'] }, 'controls:\n  - { device: inverter, name: WMaxLimPct, default: 100 }\n');

async function metricsText(): Promise<string> {
  return (await helper.request().get('/gridbridge/metrics').expect(200)).text as string;
}

async function until(f: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('gridbridge-site in the Node-RED metrics', () => {
  it('its connection, points, decisions and health appear under its site id; the audit log is written to its state dir', async () => {
    await helper.load(
      [portNode, siteNode, siteControlNode],
      [
        { id: 's1', type: 'gridbridge-site', source: 'inline', yaml: mapping(), stateDir: dir },
        { id: 'ctl', type: 'gridbridge-site-control', site: 's1', sourceClass: 'dso', validForS: '60', wires: [['res']] },
        { id: 'res', type: 'helper' },
      ],
    );
    const count = (text: string, re: RegExp): number => Number(re.exec(text)?.[1] ?? 0);
    await until(async () => count(await metricsText(), /^gridbridge_modbus_responses_total\{connection="nrmetrics\/bus"\} (\d+)$/m) > 0, 'site connection counters');
    const text = await metricsText();
    expect(text).toMatch(/^gridbridge_modbus_transaction_seconds_count\{connection="nrmetrics\/bus",outcome="response"\} [1-9]\d*$/m);
    expect(text).toMatch(/^gridbridge_point_age_seconds\{point="nrmetrics\/inverter\/W"\} [\d.e-]+$/m);
    const h = await helper.request().get('/gridbridge/health').expect(200);
    expect(h.body).toEqual({ status: 'ok' });

    const result = new Promise<any>((r) => helper.getNode('res').on('input', r));
    helper.getNode('ctl').receive({ payload: { device: 'inverter', name: 'WMaxLimPct', value: 30, id: 'nrm-1' } });
    expect((await result).payload).toMatchObject({ outcome: 'applied', field: { state: 'held' } });
    expect(count(await metricsText(), /^gridbridge_control_decisions_total\{action="submit",outcome="applied"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    const audit = join(dir, 'audit.jsonl');
    expect(existsSync(audit)).toBe(true);
    const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((e) => e.intentId === 'nrm-1' && e.action === 'submit' && e.site === 'nrmetrics')).toBe(true);

    await helper.unload();
    await helper.load([portNode], []);
    expect(await metricsText()).not.toMatch(/nrmetrics\/bus/);
  });
});
