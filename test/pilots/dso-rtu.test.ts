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

// DSO pilot headless: `gridbridge sim iec104` is the substation RTU, `gridbridge run mappings/pilot-dso-rtu.yaml`
// is the controlling station bridging it to MQTT; a recloser command from MQTT goes through the arbiter as a checked
// double command (SBO) and comes back from the RTU as return information.
const mapping = join(repoRoot, 'mappings', 'pilot-dso-rtu.yaml');
const procs: CliProcess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0).reverse()) await p.stop();
});

describe('DSO RTU pilot (iec104 field connection → MQTT)', () => {
  it('publishes interrogated and spontaneous RTU data, and commands the recloser through the arbiter', async () => {
    const rtu = startCli(['sim', 'iec104', '--port', '0', '--host', '127.0.0.1', '--interval', '500']);
    procs.push(rtu);
    const listening = await rtu.waitFor((e) => e.event === 'listening', 'RTU listening');
    const run = startCli(['run', mapping, '--embedded-broker', '0'], { GB_IEC104_PORT: String(listening.port) });
    procs.push(run);
    const broker = await run.waitFor((e) => e.event === 'broker', 'broker');
    const c = await mqtt.connectAsync(broker.url);
    const seen = new Map<string, any>();
    c.on('message', (t, p) => seen.set(t, t.endsWith('/status') ? p.toString() : JSON.parse(p.toString())));
    await c.subscribeAsync('dso/dso-rtu/#', { qos: 1 });
    await run.waitFor((e) => e.event === 'status' && e.component === 'connection:rtu' && e.state === 'up', 'IEC 104 link up');
    // The general interrogation after STARTDT brings every mapped point, with the canonical names and units.
    const hz = await until(() => seen.get('dso/dso-rtu/feeder/Hz'), 'feeder/Hz on MQTT');
    expect(hz).toMatchObject({ quality: 'good', unit: 'Hz', device: 'feeder' });
    expect(hz.value).toBeGreaterThan(45);
    expect(await until(() => seen.get('dso/dso-rtu/recloser/Pos'), 'recloser/Pos')).toMatchObject({ value: true, quality: 'good' });
    // Open the recloser from the platform: arbiter → C_DC_NA_1 select + execute → ACT_CON/ACT_TERM → return info.
    await c.publishAsync('dso/dso-rtu/recloser/PosSet/set', JSON.stringify({ value: false, id: 'open-1', validFor: 120 }), { qos: 1 });
    expect(await until(() => seen.get('dso/dso-rtu/recloser/PosSet/result'), 'command result')).toMatchObject({ id: 'open-1', ok: true });
    const cmds = rtu.events.filter((e) => e.event === 'command');
    expect(cmds.some((e) => e.ioa === 5001)).toBe(true);
    await until(() => (seen.get('dso/dso-rtu/recloser/Pos')?.value === false ? true : undefined), 'recloser/Pos false after the command');
    await run.waitFor((e) => e.event === 'control' && e.intentId === 'open-1' && e.outcome === 'applied', 'audit of open-1');
    // A value the mapping cannot send (a double command needs a boolean-like value) is refused, not sent.
    await c.publishAsync('dso/dso-rtu/feeder/W/set', JSON.stringify({ value: 5, id: 'bad-1' }), { qos: 1 });
    expect(await until(() => seen.get('dso/dso-rtu/feeder/W/result'), 'refusal')).toMatchObject({ id: 'bad-1', ok: false });
    await c.endAsync();
  }, 60_000);

  it('runs through the gridbridge site node: RTU points out of site in, the recloser command from site control', async () => {
    const rtu = startCli(['sim', 'iec104', '--port', '0', '--host', '127.0.0.1', '--interval', '500']);
    procs.push(rtu);
    process.env.GB_IEC104_PORT = String((await rtu.waitFor((e) => e.event === 'listening', 'RTU listening')).port);
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
    try {
      await helper.load(
        [siteNode, siteInNode, siteControlNode],
        [
          { id: 's', type: 'gridbridge-site', source: 'file', file: 'mappings/pilot-dso-rtu.yaml', mqttUrl: broker.url },
          { id: 'in', type: 'gridbridge-site-in', site: 's', devices: 'recloser', mode: 'each', wires: [['pts'], [], []] },
          { id: 'ctl', type: 'gridbridge-site-control', site: 's', sourceClass: 'dso', validForS: '60', wires: [['res']] },
          { id: 'pts', type: 'helper' },
          { id: 'res', type: 'helper' },
        ],
      );
      const pos: boolean[] = [];
      helper.getNode('pts').on('input', (m: any) => pos.push(m.payload.value));
      await until(() => (pos.includes(true) ? true : undefined), 'recloser closed after GI');
      const res = new Promise<any>((r) => helper.getNode('res').on('input', r));
      helper.getNode('ctl').receive({ payload: { device: 'recloser', name: 'PosSet', value: false } });
      expect((await res).payload).toMatchObject({ outcome: 'applied', sourceClass: 'dso', field: { state: 'held' } });
      await until(() => (pos.at(-1) === false ? true : undefined), 'recloser open (return information)');
    } finally {
      await helper.unload();
      delete process.env.GB_IEC104_PORT;
      await broker.close();
    }
  }, 60_000);
});
