import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { startStation } from './station.js';
import { Iec104Client } from '../../src/protocols/iec104/client.js';
import { TypeId } from '../../src/protocols/iec104/constants.js';
import type { InfoObject } from '../../src/protocols/iec104/types/object.js';
import { loadMappingFile } from '../../src/runtime/validate.js';
import { Site } from '../../src/runtime/site.js';
import type { Iec104UpstreamAdapter } from '../../src/runtime/adapters/iec104.js';

const root = join(__dirname, '..', '..');
let sim: ModbusSimulator;
let dir: string;
let site: Site | undefined;
let scada: Iec104Client | undefined;

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !cond() && waited < ms; waited += 20) await new Promise((r) => setTimeout(r, 20));
}

/** A loopback port with nothing listening (the second device's field link stays down). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  let addr: { port: number };
  ({ sim, ...addr } = await startStation({ 1: 'dcbel-station-inverter' }));
  const dead = await deadPort();
  dir = mkdtempSync(join(tmpdir(), 'gb-iec104-'));
  writeFileSync(
    join(dir, 'site.yaml'),
    `mapping: 1
site: { id: es-pilot }
profileDirs: [${JSON.stringify(join(root, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${addr.port}, timeoutMs: 500 }
  gone: { type: tcp, host: 127.0.0.1, port: ${dead}, timeoutMs: 200, retries: 0 }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1 }
  - { id: inverter2, profile: dcbel-station-inverter, connection: gone, unit: 1 }
upstream:
  iec104:
    commonAddress: 7
    points:
      - { device: inverter, name: W, ioa: 1001, type: M_ME_NC_1, groups: [1] }
      - { device: inverter2, name: W, ioa: 1002, type: M_ME_NC_1 }
    commands:
      - { device: inverter, name: WMaxLimPct, ioa: 2001, type: C_SE_NC_1, min: 0, max: 100 }
      - { device: inverter, name: WMaxLimPct_RmpTms, ioa: 2003, type: C_SE_NB_1, sbo: true, min: 0, max: 3600 }
      - { device: inverter2, name: WMaxLimPct, ioa: 2002, type: C_SE_NC_1, min: 0, max: 100 }
`,
  );
});
afterAll(async () => {
  scada?.close();
  await site?.stop();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('iec104 upstream adapter (controlled station)', () => {
  it('the example mapping mappings/pilot-iec104-scada.yaml is valid', () => {
    expect(loadMappingFile(join(root, 'mappings', 'pilot-iec104-scada.yaml')).errors).toEqual([]);
  });

  it('serves field points to SCADA and turns 104 commands into validated field writes', async () => {
    const load = loadMappingFile(join(dir, 'site.yaml'));
    expect(load.errors).toEqual([]);
    site = new Site(load, { adapters: { iec104: { port: 0, host: '127.0.0.1' } } });
    const seenW = new Set<number>();
    site.on('points', (pts) => {
      for (const p of pts) if (p.device === 'inverter' && p.name === 'W' && typeof p.value === 'number') seenW.add(Math.fround(p.value));
    });
    const fieldWrites: Array<{ name: string; value: unknown }> = [];
    sim.on('write', (w) => fieldWrites.push(...w.changes));
    await site.start();
    const adapter = site.adapters.find((a) => a.name === 'iec104') as Iec104UpstreamAdapter;
    const addr = adapter.address();
    expect(addr?.port).toBeGreaterThan(0);
    await until(() => seenW.size > 0);
    expect(seenW.size).toBeGreaterThan(0);

    scada = new Iec104Client({ hosts: [{ host: '127.0.0.1', port: addr!.port }], ca: 7, reconnect: false });
    const spontaneous: InfoObject[] = [];
    scada.on('object', (u: { cot: number; object: InfoObject }) => {
      if (u.cot === 3) spontaneous.push(u.object);
    });
    await scada.connect();

    // GI: the live inverter's W as measured, the unreachable inverter's W invalid.
    const gi = await scada.interrogate(7);
    expect(gi.ok).toBe(true);
    const w1 = gi.objects?.find((o) => o.ioa === 1001);
    const w2 = gi.objects?.find((o) => o.ioa === 1002);
    expect(typeof w1?.value).toBe('number');
    expect(seenW.has(w1!.value as number)).toBe(true);
    expect(w1?.quality?.iv ?? false).toBe(false);
    expect(w2?.quality?.iv).toBe(true);
    // Values polled before SCADA connected were buffered and sent when data transfer started.
    await until(() => spontaneous.some((o) => o.ioa === 1001));
    expect(spontaneous.some((o) => o.ioa === 1001)).toBe(true);

    // A set-point within range: positive ACT_CON and ACT_TERM, and the device receives the value.
    const ok = await scada.command({ typeId: TypeId.C_SE_NC_1, ca: 7, ioa: 2001, value: 42.5 });
    expect(ok).toMatchObject({ ok: true, stage: 'term' });
    await until(() => fieldWrites.some((w) => w.name === 'WMaxLimPct'));
    expect(fieldWrites.filter((w) => w.name === 'WMaxLimPct').map((w) => w.value)).toEqual([42.5]);

    // Select-before-operate on a scaled set-point.
    const sbo = await scada.command({ typeId: TypeId.C_SE_NB_1, ca: 7, ioa: 2003, value: 120, sbo: true });
    expect(sbo).toMatchObject({ ok: true, stage: 'term' });
    await until(() => fieldWrites.some((w) => w.name === 'WMaxLimPct_RmpTms'));
    expect(fieldWrites.find((w) => w.name === 'WMaxLimPct_RmpTms')?.value).toBe(120);

    // Out of the mapped range: negative ACT_CON, nothing written.
    const high = await scada.command({ typeId: TypeId.C_SE_NC_1, ca: 7, ioa: 2001, value: 150 });
    expect(high).toMatchObject({ ok: false, stage: 'con' });

    // The second device's field link is down: negative ACT_CON, nothing written.
    const warnings: string[] = [];
    site.on('warning', (m) => warnings.push(m));
    const offline = await scada.command({ typeId: TypeId.C_SE_NC_1, ca: 7, ioa: 2002, value: 10 });
    expect(offline).toMatchObject({ ok: false, stage: 'con' });
    expect(warnings.some((m) => /IOA 2002 .*refused: field link to inverter2 is down/.test(m))).toBe(true);

    // Unknown address and wrong type.
    expect(await scada.command({ typeId: TypeId.C_SE_NC_1, ca: 7, ioa: 2999, value: 1 })).toMatchObject({ ok: false });
    expect(await scada.command({ typeId: TypeId.C_SC_NA_1, ca: 7, ioa: 2001, value: true })).toMatchObject({ ok: false });

    expect(fieldWrites.filter((w) => w.name === 'WMaxLimPct').map((w) => w.value)).toEqual([42.5]);
  }, 15_000);
});
