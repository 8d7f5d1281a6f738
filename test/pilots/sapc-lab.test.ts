import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import mqtt from 'mqtt';
import helper from 'node-red-node-test-helper';
import { repoRoot, until, type CliProcess } from './cli.js';
import { startEmbeddedBroker } from '../../src/protocols/mqtt/broker.js';
import { sapcLine } from './sapc-line.js';
import { initNodeRed } from '../node-red-path.js';
import siteNode from '../../nodes/site.js';
import siteInNode from '../../nodes/site-in.js';
import siteControlNode from '../../nodes/site-control.js';

initNodeRed(helper);

// SAPC lab pilot: `gridbridge sim sapc-appliance` (its own process) is the appliance on an SSP-1 line behind a
// TCP-serial bridge, and serves its supply meter on Modbus TCP; mappings/pilot-sapc-lab.yaml makes GridBridge the
// meter end, driven from MQTT (headless: `gridbridge run`) or from the site node in a Node-RED test runtime.
const mapping = join(repoRoot, 'mappings', 'pilot-sapc-lab.yaml');
const RATED_W = 7400;
const line = sapcLine();

/** The bridge and the appliance process; the environment the mapping needs to reach them. */
async function lab(): Promise<{ sim: CliProcess; env: Record<string, string> }> {
  const path = await line.open();
  const sim = line.cli(['sim', 'sapc-appliance', '--device', path, '--slot', '1:import:ev1', '--rated-w', String(RATED_W), '--heartbeat', '5', '--apply-delay', '20', '--modbus-tcp', '0']);
  const meter = await sim.waitFor((e) => e.event === 'modbus', 'supply meter listening');
  await sim.waitFor((e) => e.event === 'start', 'appliance start');
  return { sim, env: { GB_SAPC_PATH: path, GB_METER_PORT: String(meter.port), GB_SAPC_STATUS_S: '1', GB_SAPC_HEARTBEAT_S: '5' } };
}

describe('SAPC lab pilot (MQTT → GridBridge as the meter end → SAPC appliance)', () => {
  it('headless: publishes the appliance status and supply power; a limit from MQTT is held, then expires to the appliance plan', async () => {
    const { sim, env } = await lab();
    const run = line.cli(['run', mapping, '--embedded-broker', '0'], env);
    const broker = await run.waitFor((e) => e.event === 'broker', 'broker');
    const c = await mqtt.connectAsync(broker.url);
    const seen = new Map<string, any>();
    c.on('message', (t, p) => seen.set(t, t.endsWith('/status') ? p.toString() : JSON.parse(p.toString())));
    await c.subscribeAsync('lab/sapc-lab/#', { qos: 1 });
    await run.waitFor((e) => e.event === 'status' && e.component === 'device:ev1' && e.state === 'online', 'appliance heard');
    // Upstream messages: the level the appliance applies (its own plan, 100 %) and its supply meter's power.
    expect(await until(() => (seen.get('lab/sapc-lab/ev1/SAPCLevel')?.value === 100 ? seen.get('lab/sapc-lab/ev1/SAPCLevel') : undefined), 'ev1/SAPCLevel')).toMatchObject({ quality: 'good', unit: '%', device: 'ev1' });
    expect(await until(() => seen.get('lab/sapc-lab/ev1/x_SAPCSource')?.value, 'ev1/x_SAPCSource')).toBe('LOC');
    await until(() => (seen.get('lab/sapc-lab/supply/W')?.value === RATED_W ? true : undefined), `supply/W = ${RATED_W}`);

    // A 40 % limit from the platform, valid 4 s: arbiter → SSP-1 CMD → ACK → STA shows it → held.
    await c.publishAsync('lab/sapc-lab/ev1/SAPCLevel/set', JSON.stringify({ value: 40, id: 'lim-1', validFor: 4 }), { qos: 1 });
    expect(await until(() => seen.get('lab/sapc-lab/ev1/SAPCLevel/result'), 'control result')).toMatchObject({ id: 'lim-1', ok: true });
    await sim.waitFor((e) => e.event === 'decision' && e.level === 40 && e.source === 'load_controller' && e.answer === 'applied', 'command at the appliance');
    await until(() => (seen.get('lab/sapc-lab/supply/W')?.value === (RATED_W * 40) / 100 ? true : undefined), 'supply power at 40 %');
    await until(() => (seen.get('lab/sapc-lab/ev1/x_SAPCSource')?.value === 'LC' ? true : undefined), 'governed by the load controller');
    await run.waitFor((e) => e.event === 'control' && e.intentId === 'lim-1' && e.outcome === 'applied', 'audit of lim-1');

    // Expiry: the arbiter falls back to its default; the command is cancelled and the appliance runs its own plan.
    await run.waitFor((e) => e.event === 'control' && e.intentId === 'lim-1' && e.outcome === 'expired', 'expiry of lim-1', 15_000);
    await until(() => (seen.get('lab/sapc-lab/supply/W')?.value === RATED_W ? true : undefined), 'supply power back to rated');
    await until(() => (seen.get('lab/sapc-lab/ev1/x_SAPCSource')?.value === 'LOC' ? true : undefined), 'appliance plan again');

    // A level beyond 100 % is clipped to the point's bounds before the line, and the result says so.
    await c.publishAsync('lab/sapc-lab/ev1/SAPCLevel/set', JSON.stringify({ value: 140, id: 'bad-1' }), { qos: 1 });
    await until(() => (seen.get('lab/sapc-lab/ev1/SAPCLevel/result')?.id === 'bad-1' ? true : undefined), 'refusal');
    expect(seen.get('lab/sapc-lab/ev1/SAPCLevel/result')).toMatchObject({ id: 'bad-1', ok: true, reason: 'value 140 clipped to 100 (target bounds 0..100)' });
    await c.endAsync();
  }, 60_000);

  it('through the gridbridge site node: appliance and supply points out of site in, a limit from site control held end to end', async () => {
    const { sim, env } = await lab();
    Object.assign(process.env, env);
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
    try {
      await helper.load(
        [siteNode, siteInNode, siteControlNode],
        [
          { id: 's', type: 'gridbridge-site', source: 'file', file: 'mappings/pilot-sapc-lab.yaml', mqttUrl: broker.url },
          { id: 'in', type: 'gridbridge-site-in', site: 's', devices: 'ev1,supply', mode: 'each', wires: [['pts'], [], []] },
          { id: 'ctl', type: 'gridbridge-site-control', site: 's', sourceClass: 'load_controller', validForS: '60', wires: [['res']] },
          { id: 'pts', type: 'helper' },
          { id: 'res', type: 'helper' },
        ],
      );
      const latest = new Map<string, any>();
      helper.getNode('pts').on('input', (m: any) => latest.set(`${m.payload.device}/${m.payload.name}`, m.payload.value));
      await until(() => (latest.get('ev1/SAPCLevel') === 100 && latest.get('supply/W') === RATED_W ? true : undefined), 'appliance level and supply power');
      const res = new Promise<any>((r) => helper.getNode('res').on('input', r));
      helper.getNode('ctl').receive({ payload: { device: 'ev1', name: 'SAPCLevel', value: 30 } });
      expect((await res).payload).toMatchObject({ outcome: 'applied', sourceClass: 'load_controller', field: { state: 'held' } });
      await sim.waitFor((e) => e.event === 'applied' && e.level === 30, 'applied at the appliance');
      await until(() => (latest.get('supply/W') === (RATED_W * 30) / 100 && latest.get('ev1/SAPCLevel') === 30 ? true : undefined), 'supply power and level at 30 %');
    } finally {
      await helper.unload();
      for (const k of Object.keys(env)) delete process.env[k];
      await broker.close();
    }
  }, 60_000);
});
