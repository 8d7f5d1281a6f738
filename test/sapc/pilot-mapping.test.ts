/**
 * mappings/pilot-sapc-appliance.yaml as shipped (only the Modbus port and profile directory changed to reach a
 * local station simulator): every source its comment names is accepted and treated as it says.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { buildCommand } from '../../src/protocols/sapc/client.js';
import { createLinePair } from '../../src/protocols/sapc/loopback.js';
import { SapcSession } from '../../src/protocols/sapc/session.js';
import { SapcMeterSim } from '../../src/sim/sapc/meter.js';
import { loadMappingFile } from '../../src/runtime/validate.js';
import { Site } from '../../src/runtime/site.js';
import { repoRoot, startStation } from '../runtime/station.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !cond() && waited < ms; waited += 20) await new Promise((r) => setTimeout(r, 20));
}

describe('pilot SAPC mapping', () => {
  it('accepts load controller (cap), supplier and aggregator (setpoints), and NAKs the owner', async () => {
    const { sim, port } = await startStation({ 1: 'dcbel-station-inverter' });
    cleanup.push(() => sim.close());
    const dir = mkdtempSync(join(tmpdir(), 'gb-sapc-pilot-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const yaml = readFileSync(join(repoRoot, 'mappings', 'pilot-sapc-appliance.yaml'), 'utf8');
    expect(yaml).toMatch(/supplier and aggregator\n# \(setpoints/);
    const local = yaml.replace('port: 1502', `port: ${port}`).replace('mapping: 1\n', `mapping: 1\nprofileDirs: [${JSON.stringify(join(repoRoot, 'device-profiles'))}]\n`);
    writeFileSync(join(dir, 'site.yaml'), local);
    const load = loadMappingFile(join(dir, 'site.yaml'));
    expect(load.errors).toEqual([]);
    const line = createLinePair({ clock: systemClock });
    const site = new Site(load, { adapters: { sapc: { line: line.b } } });
    cleanup.push(() => site.stop());
    const session = new SapcSession({ write: (t) => line.a.write(t), clock: systemClock, sendHeartbeats: false });
    line.a.onData((c) => session.receive(c));
    const meter = new SapcMeterSim(session, systemClock, (t) => line.a.write(t));
    cleanup.push(() => meter.stop());
    await site.start();
    const cmd = (source: 'load_controller' | 'supplier' | 'aggregator' | 'owner', level: number, eventId: string) =>
      meter.send({ type: 'CMD', command: buildCommand({ level, forMs: 60_000, direction: 'export', source, eventId }, Date.now()) });

    expect((await cmd('aggregator', 70, 'agg-1')).reply).toMatchObject({ type: 'ACK', state: 'applied' });
    expect((await cmd('supplier', 60, 'sup-1')).reply).toMatchObject({ type: 'ACK', state: 'applied' });
    expect((await cmd('load_controller', 30, 'lc-1')).reply).toMatchObject({ type: 'ACK', state: 'applied' });
    expect((await cmd('owner', 10, 'own-1')).reply).toMatchObject({ type: 'NAK', reason: 'REJECTED', field: 'src' });
    const held = site.arbiter.list();
    expect(held.find((i) => i.id === 'agg-1')).toMatchObject({ value: 70 });
    expect(held.find((i) => i.id === 'agg-1')?.cap).toBeUndefined();
    expect(held.find((i) => i.id === 'sup-1')).toMatchObject({ value: 60 });
    expect(held.find((i) => i.id === 'lc-1')).toMatchObject({ cap: 30 });
    // The supplier setpoint outranks the aggregator's; the load-controller cap clips it.
    await until(() => site.arbiter.effective({ device: 'inverter', name: 'WMaxLimPct' }).value === 30);
    expect(site.arbiter.effective({ device: 'inverter', name: 'WMaxLimPct' })).toMatchObject({ value: 30 });
    const sta = await meter.send({ type: 'STQ', slot: 1 });
    expect(sta.reply).toMatchObject({ type: 'STA', level: 30 });
  }, 15_000);
});
