import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { startStation } from './station.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/protocols/mqtt/broker.js';
import { loadMappingFile } from '../../src/runtime/validate.js';
import { Site } from '../../src/runtime/site.js';

const root = join(__dirname, '..', '..');
let sim: ModbusSimulator;
let broker: EmbeddedBroker;
let dir: string;
let site: Site | undefined;

beforeAll(async () => {
  let addr: { port: number };
  ({ sim, ...addr } = await startStation({ 1: 'dcbel-station-inverter' }));
  broker = await startEmbeddedBroker({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'gb-site-'));
  writeFileSync(
    join(dir, 'site.yaml'),
    `mapping: 1
site: { id: lab }
profileDirs: [${JSON.stringify(join(root, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${addr.port}, timeoutMs: 500 }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1 }
controls:
  - { device: inverter, name: WMaxLimPct, default: 100 }
upstream:
  mqtt: { url: "${broker.url}", commands: true }
`,
  );
});
afterAll(async () => {
  await site?.stop();
  await sim.close();
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('site runtime', () => {
  it('polls, publishes, and routes MQTT commands through the arbiter with a fail-safe default', async () => {
    const load = loadMappingFile(join(dir, 'site.yaml'));
    expect(load.errors).toEqual([]);
    site = new Site(load);
    const writes: any[] = [];
    site.on('write', (w) => writes.push(w));
    const c = mqtt.connect(broker.url);
    const seen = new Map<string, any>();
    c.on('message', (t, p) => seen.set(t, p.toString()));
    await c.subscribeAsync('gridbridge/lab/#', { qos: 1 });
    await site.start();
    for (let i = 0; i < 100 && !seen.has('gridbridge/lab/inverter/W'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(JSON.parse(seen.get('gridbridge/lab/inverter/W')).quality).toBe('good');
    // The default (100 %) is applied at start: nothing active.
    for (let i = 0; i < 100 && writes.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(writes[0]).toMatchObject({ ok: true, name: 'WMaxLimPct', value: 100 });

    // A command valid for 1 s: written, then the arbiter falls back to the default when it expires.
    await c.publishAsync('gridbridge/lab/inverter/WMaxLimPct/set', JSON.stringify({ value: 30, id: 'k1', validFor: 1 }), { qos: 1 });
    const rt = 'gridbridge/lab/inverter/WMaxLimPct/result';
    for (let i = 0; i < 100 && !seen.has(rt); i++) await new Promise((r) => setTimeout(r, 20));
    expect(JSON.parse(seen.get(rt))).toMatchObject({ id: 'k1', ok: true, value: 30 });
    for (let i = 0; i < 150 && writes.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(writes.map((w) => w.value)).toEqual([100, 30, 100]);
    const audit = site.arbiter.audit.map((a) => a.action);
    expect(audit).toContain('expire');
    await c.endAsync();
  });
});
