/**
 * Controls survive field faults: a control accepted while the device's link is down is held (and said to be not held
 * by the field), then written as soon as the device is back; a restart of the runtime with a state directory writes
 * the held control again. Real sockets: the Modbus TCP simulator is closed and a fresh one (a device that restarted
 * and lost its setpoint) listens on the same port.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { loadProfileFile, loadMappingFile } from '../../src/runtime/validate.js';
import { Site } from '../../src/runtime/site.js';
import { repoRoot } from './station.js';

const profile = loadProfileFile(join(repoRoot, 'device-profiles', 'dcbel-station-inverter.yaml')).profile!;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sim(port = 0): Promise<{ sim: ModbusSimulator; port: number; writes: Array<{ name: string; value: unknown }> }> {
  const s = new ModbusSimulator({ units: [{ unitId: 1, profile }] });
  const writes: Array<{ name: string; value: unknown }> = [];
  s.on('write', (e) => writes.push(...e.changes));
  const addr = await s.listenTcp(port, '127.0.0.1');
  cleanups.push(() => s.close());
  return { sim: s, port: addr.port, writes };
}

function mapping(port: number, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'gb-reassert-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'site.yaml'),
    `mapping: 1
site: { id: lab${extra} }
profileDirs: [${JSON.stringify(join(repoRoot, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${port}, timeoutMs: 300, retries: 0 }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1, pollClasses: { fast: 100, slow: 500 } }
controls:
  - { device: inverter, name: WMaxLimPct, default: 100 }
`,
  );
  return join(dir, 'site.yaml');
}

const until = async (what: () => boolean, ms = 8000): Promise<void> => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('controls survive field faults', () => {
  it('a control taken while the server is down is reported not held, then written when the server is back', async () => {
    const first = await sim();
    const site = new Site(loadMappingFile(mapping(first.port)));
    cleanups.push(() => site.stop());
    await site.start();
    await until(() => first.writes.some((w) => w.name === 'WMaxLimPct' && w.value === 100));
    await first.sim.close();
    await until(() => site.ports.get('bus')!.status.state !== 'up');

    const now = Date.now();
    const r = site.submit({ id: 'w1', source: 'mqtt:test', sourceClass: 'owner', target: { device: 'inverter', name: 'WMaxLimPct' }, value: 41, validFrom: now, validTo: now + 600_000 });
    expect(r.outcome).toBe('applied'); // the arbitration outcome …
    await until(() => site.arbiter.effective({ device: 'inverter', name: 'WMaxLimPct' }).field?.state === 'not_held');
    // … and the field's: not held, with why, in the intent list and the audit.
    expect(site.controls()[0]).toMatchObject({ id: 'w1', governing: true, field: { state: 'not_held', value: 41 } });
    expect(site.controls()[0]!.field!.reason).toMatch(/re-asserted/);
    expect(site.arbiter.audit.some((a) => a.action === 'field' && a.outcome === 'not_held' && a.value === 41)).toBe(true);

    // The device restarts with its own value (a fresh simulator) on the same port: 41 is written again.
    const second = await sim(first.port);
    await until(() => second.writes.some((w) => w.name === 'WMaxLimPct' && w.value === 41), 15_000);
    await until(() => site.arbiter.effective({ device: 'inverter', name: 'WMaxLimPct' }).field?.state === 'held');
    expect(second.writes.filter((w) => w.name === 'WMaxLimPct').map((w) => w.value)).toEqual([41]);
    expect(site.controls()[0]).toMatchObject({ field: { state: 'held', value: 41 } });
  }, 30_000);

  it('a restart of the runtime with a state directory re-asserts the held control, not the default', async () => {
    const dev = await sim();
    const file = mapping(dev.port);
    const stateDir = mkdtempSync(join(tmpdir(), 'gb-state-'));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const a = new Site(loadMappingFile(file), { stateDir });
    await a.start();
    await until(() => dev.writes.some((w) => w.value === 100));
    const now = Date.now();
    a.submit({ id: 'w2', source: 'mqtt:test', sourceClass: 'owner', target: { device: 'inverter', name: 'WMaxLimPct' }, value: 55, validFrom: now, validTo: now + 600_000 });
    await until(() => dev.writes.some((w) => w.value === 55));
    await a.stop();

    dev.writes.length = 0;
    const b = new Site(loadMappingFile(file), { stateDir });
    cleanups.push(() => b.stop());
    await b.start();
    await until(() => dev.writes.length > 0);
    await until(() => b.arbiter.effective({ device: 'inverter', name: 'WMaxLimPct' }).field?.state === 'held');
    expect(dev.writes.filter((w) => w.name === 'WMaxLimPct').map((w) => w.value)).toEqual([55]);
    expect(b.arbiter.audit.find((x) => x.action === 'restore')).toMatchObject({ intentId: 'w2' });
  }, 30_000);
});
