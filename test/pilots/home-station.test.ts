import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import mqtt from 'mqtt';
import helper from 'node-red-node-test-helper';
import { repoRoot, startCli, until, type CliProcess } from './cli.js';
import { startEmbeddedBroker } from '../../src/protocols/mqtt/broker.js';
import { initNodeRed } from '../node-red-path.js';
import siteNode from '../../nodes/site.js';
import siteInNode from '../../nodes/site-in.js';
import siteControlNode from '../../nodes/site-control.js';

initNodeRed(helper);

// The home energy station pilot as shipped: one `sim modbus --mapping` serves the demo mapping's four units on one
// TCP port, `gridbridge run` runs the mapping unchanged (its port follows GB_MODBUS_PORT), MQTT carries telemetry
// up and a command down through the arbiter to the simulated battery.
const mapping = join(repoRoot, 'mappings', 'demo-home-station.yaml');
const procs: CliProcess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0).reverse()) await p.stop();
});

describe('home energy station pilot (demo mapping) headless', () => {
  it('one simulator serves every unit of the mapping; gridbridge run publishes all devices and honours a control', async () => {
    const sim = startCli(['sim', 'modbus', '--mapping', mapping, '--tcp', '0', '--quiet']);
    procs.push(sim);
    const listening = await sim.waitFor((e) => e.event === 'listening', 'sim listening');
    expect(listening.units).toEqual([1, 2, 3, 4, 5]);
    const run = startCli(['run', mapping, '--points', '--embedded-broker', '0'], { GB_MODBUS_PORT: String(listening.tcp.port) });
    procs.push(run);
    for (const d of ['inverter', 'battery', 'meter', 'ev', 'ats']) await run.waitFor((e) => e.event === 'point' && e.device === d && e.quality === 'good', `a good point of ${d}`);
    const broker = await run.waitFor((e) => e.event === 'broker', 'broker');
    const c = await mqtt.connectAsync(broker.url);
    const seen = new Map<string, any>();
    c.on('message', (t, p) => seen.set(t, p.toString()));
    await c.subscribeAsync('gridbridge/demo-home/#', { qos: 1 });
    await c.publishAsync('gridbridge/demo-home/battery/WSet/set', JSON.stringify({ value: -1500, id: 'hs-1', validFor: 60 }), { qos: 1 });
    for (let i = 0; i < 200 && !seen.has('gridbridge/demo-home/battery/WSet/result'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(JSON.parse(seen.get('gridbridge/demo-home/battery/WSet/result'))).toMatchObject({ id: 'hs-1', ok: true });
    // The simulator saw the write on unit 2 (the battery), and the site's audit names the MQTT source.
    await sim.waitFor((e) => e.event === 'write' && e.unitId === 2 && e.changes.some((x: any) => x.name === 'WSet' && x.value === -1500), 'WSet write on unit 2');
    await run.waitFor((e) => e.event === 'control' && e.intentId === 'hs-1' && e.outcome === 'applied', 'audit of hs-1');
    await c.endAsync();
  }, 60_000);

  it('pairs --unit with --profile and refuses a mismatch with a clear message', async () => {
    const sim = startCli(['sim', 'modbus', '--unit', '1', '--profile', 'dcbel-station-inverter', '--unit', '3', '--profile', 'dcbel-tempo-meter', '--tcp', '0', '--quiet']);
    procs.push(sim);
    expect((await sim.waitFor((e) => e.event === 'listening', 'listening')).units).toEqual([1, 3]);
    const bad = startCli(['sim', 'modbus', '--unit', '1', '--profile', 'dcbel-station-inverter', '--profile', 'dcbel-tempo-meter', '--tcp', '0']);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toMatch(/2 --profile but 1 --unit/);
  });

  it('through the site node: every unit out of site in, a site control reaches the battery', async () => {
    const sim = startCli(['sim', 'modbus', '--mapping', mapping, '--tcp', '0', '--quiet']);
    procs.push(sim);
    process.env.GB_MODBUS_PORT = String((await sim.waitFor((e) => e.event === 'listening', 'sim listening')).tcp.port);
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
    try {
      await helper.load(
        [siteNode, siteInNode, siteControlNode],
        [
          { id: 's', type: 'gridbridge-site', source: 'file', file: 'mappings/demo-home-station.yaml', mqttUrl: broker.url },
          { id: 'in', type: 'gridbridge-site-in', site: 's', mode: 'batch', wires: [['pts'], [], []] },
          { id: 'ctl', type: 'gridbridge-site-control', site: 's', sourceClass: 'owner', validForS: '60', wires: [['res']] },
          { id: 'pts', type: 'helper' },
          { id: 'res', type: 'helper' },
        ],
      );
      const good = new Set<string>();
      helper.getNode('pts').on('input', (m: any) => {
        for (const p of m.payload) if (p.quality === 'good') good.add(p.device);
      });
      await until(() => (['inverter', 'battery', 'meter', 'ev', 'ats'].every((d) => good.has(d)) ? true : undefined), `every unit through site in (have ${[...good].join(', ')})`);
      const res = new Promise<any>((r) => helper.getNode('res').on('input', r));
      helper.getNode('ctl').receive({ payload: { device: 'battery', name: 'WSet', value: -1200 } });
      expect((await res).payload).toMatchObject({ outcome: 'applied', sourceClass: 'owner', field: { state: 'held' } });
      await sim.waitFor((e) => e.event === 'write' && e.unitId === 2 && e.changes.some((x: any) => x.name === 'WSet' && x.value === -1200), 'WSet -1200 on unit 2');
    } finally {
      await helper.unload();
      delete process.env.GB_MODBUS_PORT;
      await broker.close();
    }
  }, 60_000);
});
