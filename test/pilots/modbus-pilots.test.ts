import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import mqtt from 'mqtt';
import helper from 'node-red-node-test-helper';
import { repoRoot, startCli, until, type CliProcess } from './cli.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/protocols/mqtt/broker.js';
import { loadMappingFile } from '../../src/runtime/validate.js';
import { initNodeRed } from '../node-red-path.js';
import siteNode from '../../nodes/site.js';
import siteInNode from '../../nodes/site-in.js';
import siteControlNode from '../../nodes/site-control.js';

initNodeRed(helper);

// The Modbus pilots end to end against `gridbridge sim modbus --mapping` (one simulator serving every unit of the
// mapping; the Bulgarian meters sit behind `gridbridge sim modbus-gateway`, a TCP → RS485 gateway at 9600 baud):
// headless with `gridbridge run`, and through the gridbridge site node in a Node-RED test runtime. Each must publish
// every device upstream and honour a control end to end (when the pilot takes controls).
interface Pilot {
  file: string;
  base: string;
  /** The simulator command (default `sim modbus`). */
  sim?: string;
  /** Connections other than the main one (GB_MODBUS_PORT): connection id → port variable; one simulator each. */
  more?: Record<string, string>;
  control?: { device: string; name: string; value: number; unit: number };
}
const pilots: Pilot[] = [
  { file: 'pilot-bg-meters.yaml', base: 'scada/bg-meters', sim: 'modbus-gateway' },
  { file: 'pilot-nl-home.yaml', base: 'home/nl-home', control: { device: 'battery', name: 'InWRte', value: 50, unit: 3 } },
  { file: 'pilot-no-home.yaml', base: 'hac/no-home', more: { evse: 'GB_EVSE_PORT' }, control: { device: 'ev', name: 'ChaAMax', value: 16, unit: 255 } },
  { file: 'pilot-de-home.yaml', base: 'invade/de-home', more: { 'storage-gw': 'GB_STORAGE_PORT' }, control: { device: 'pv', name: 'WMaxLimPct', value: 60, unit: 1 } },
];

/** One simulator per connection of the pilot; resolves with the port variables and the simulators (each named by its connection). */
async function simulators(p: Pilot, mapping: string): Promise<{ env: Record<string, string>; sims: CliProcess[] }> {
  const env: Record<string, string> = {};
  const sims: CliProcess[] = [];
  const main = Object.keys(loadMappingFile(mapping, { GB_MODBUS_PORT: '502' }).mapping!.connections).find((c) => !p.more?.[c]);
  for (const [conn, variable] of [[main!, 'GB_MODBUS_PORT'], ...Object.entries(p.more ?? {})] as Array<[string, string]>) {
    const sim = startCli(['sim', p.sim ?? 'modbus', '--mapping', mapping, '--connection', conn, '--tcp', '0', '--quiet']);
    procs.push(sim);
    sims.push(sim);
    env[variable] = String((await sim.waitFor((e) => e.event === 'listening', `simulator of ${conn}`)).tcp.port);
  }
  return { env, sims };
}
const fieldWrite = (sims: CliProcess[], c: NonNullable<Pilot['control']>) =>
  Promise.any(sims.map((sim) => sim.waitFor((e) => e.event === 'write' && e.unitId === c.unit && e.changes.some((x: any) => x.name === c.name && x.value === c.value), `field write of ${c.device}/${c.name}`)));

const procs: CliProcess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0).reverse()) await p.stop();
});

function devicesOf(file: string): string[] {
  return loadMappingFile(join(repoRoot, 'mappings', file), { GB_MODBUS_PORT: '502' }).mapping!.devices.map((d) => d.id);
}

describe.each(pilots)('pilot $file headless', (p) => {
  it('publishes every device to MQTT and honours a control', async () => {
    const mapping = join(repoRoot, 'mappings', p.file);
    const { env, sims } = await simulators(p, mapping);
    const run = startCli(['run', mapping, '--embedded-broker', '0'], env);
    procs.push(run);
    const c = await mqtt.connectAsync((await run.waitFor((e) => e.event === 'broker', 'broker')).url);
    const good = new Set<string>();
    const seen = new Map<string, any>();
    c.on('message', (t, b) => {
      if (t.endsWith('/status')) return;
      const j = JSON.parse(b.toString());
      seen.set(t, j);
      if (j.quality === 'good' && j.device) good.add(j.device);
    });
    await c.subscribeAsync(`${p.base}/#`, { qos: 1 });
    await until(() => (devicesOf(p.file).every((d) => good.has(d)) ? true : undefined), `a good point of every device (have ${[...good].join(', ')})`);
    if (p.control) {
      const topic = [...seen.keys()].find((t) => t.includes(`/${p.control!.device}/`))!.replace(/[^/]+$/, p.control.name);
      await c.publishAsync(`${topic}/set`, JSON.stringify({ value: p.control.value, id: 'pilot-1', validFor: 60 }), { qos: 1 });
      expect(await until(() => seen.get(`${topic}/result`), 'control result')).toMatchObject({ id: 'pilot-1', ok: true });
      await fieldWrite(sims, p.control);
      // A command on a point the device only reports is refused at once, saying so.
      const roTopic = [...seen.keys()].find((t) => /\/(SoC|W)$/.test(t) && t.includes(`/${p.control!.device}/`))!;
      await c.publishAsync(`${roTopic}/set`, JSON.stringify({ value: 1, id: 'pilot-ro', validFor: 60 }), { qos: 1 });
      expect(await until(() => seen.get(`${roTopic}/result`), 'refusal of a read-only point')).toMatchObject({ id: 'pilot-ro', ok: false, reason: expect.stringMatching(/read-only/) });
    }
    await c.endAsync();
  }, 60_000);
});

describe('pilots through the gridbridge site node', () => {
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await broker.close();
  });
  afterEach(async () => {
    await helper.unload();
    for (const v of ['GB_MODBUS_PORT', ...pilots.flatMap((p) => Object.values(p.more ?? {}))]) delete process.env[v];
  });

  it.each(pilots)('$file: site in sends every device, site control reaches the field', async (p) => {
    const mapping = join(repoRoot, 'mappings', p.file);
    const { env, sims } = await simulators(p, mapping);
    Object.assign(process.env, env);
    await helper.load(
      [siteNode, siteInNode, siteControlNode],
      [
        { id: 's', type: 'gridbridge-site', source: 'file', file: `mappings/${p.file}`, mqttUrl: broker.url },
        { id: 'in', type: 'gridbridge-site-in', site: 's', mode: 'batch', wires: [['pts'], [], []] },
        { id: 'ctl', type: 'gridbridge-site-control', site: 's', sourceClass: 'aggregator', validForS: '60', wires: [['res']] },
        { id: 'pts', type: 'helper' },
        { id: 'res', type: 'helper' },
      ],
    );
    const good = new Set<string>();
    helper.getNode('pts').on('input', (m: any) => {
      for (const pt of m.payload) if (pt.quality === 'good') good.add(pt.device);
    });
    await until(() => (devicesOf(p.file).every((d) => good.has(d)) ? true : undefined), `every device through site in (have ${[...good].join(', ')})`);
    if (p.control) {
      const res = new Promise<any>((r) => helper.getNode('res').on('input', r));
      helper.getNode('ctl').receive({ payload: { device: p.control.device, name: p.control.name, value: p.control.value } });
      expect((await res).payload).toMatchObject({ outcome: 'applied', effective: p.control.value, field: { state: 'held' } });
      await fieldWrite(sims, p.control);
    }
  }, 60_000);
});
