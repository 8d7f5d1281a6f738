import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { ModbusPort } from '../../src/protocols/modbus/port.js';
import { modbusProfileFiles } from '../../src/runtime/package-root.js';
import { loadProfileFile, validateFile } from '../../src/runtime/validate.js';
import type { Point } from '../../src/core/point.js';
import { repoRoot } from './cli.js';

// Every shipped device profile against the simulator serving it: every readable point is polled with good quality
// (unit conversion and scale factors applied), and every writable numeric point takes a write inside its range.
const dir = join(repoRoot, 'device-profiles');
const files = modbusProfileFiles(dir); // SAPC profiles: test/runtime/sapc-field
const stops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const s of stops.splice(0)) await s();
});

describe('device profiles against the simulator', () => {
  it('ships at least the profiles the pilots need', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });
  for (const f of files) {
    it(`${f}: validates, every readable point comes back good, a writable point is written`, async () => {
      expect(validateFile(join(dir, f)).errors).toEqual([]);
      const profile = loadProfileFile(join(dir, f)).profile!;
      const sim = new ModbusSimulator({ units: [{ unitId: 7, profile }] });
      const { port } = await sim.listenTcp(0, '127.0.0.1');
      const mb = new ModbusPort({ tcp: { host: '127.0.0.1', port } }, { site: 'p', timeoutMs: 1000 });
      stops.push(async () => {
        await mb.stop();
        await sim.close();
      });
      const fast = Object.fromEntries(Object.keys(profile.pollClasses).map((c) => [c, 200]));
      const dev = mb.addDevice({ id: 'd', unitId: 7, profile, site: 'p', pollClasses: fast });
      const seen = new Map<string, Point>();
      mb.on('points', (pts: Point[]) => {
        for (const p of pts) seen.set(p.name, p);
      });
      mb.start();
      const readable = profile.points.filter((p) => p.access !== 'w' && p.type !== 'sunssf').map((p) => p.name);
      for (let i = 0; i < 200 && !readable.every((n) => seen.get(n)?.quality.code === 'good'); i++) await new Promise((r) => setTimeout(r, 25));
      expect(readable.filter((n) => seen.get(n)?.quality.code !== 'good').map((n) => `${n}: ${JSON.stringify(seen.get(n)?.quality)}`)).toEqual([]);
      const w = profile.points.find((p) => p.access !== 'r' && ['u16', 'i16', 'u32', 'i32', 'f32'].includes(p.type));
      if (w) {
        const v = w.min !== undefined && w.max !== undefined ? Math.round((w.min + w.max) / 2) : (w.min ?? 0) + 1;
        const r = await dev.write(w.name, v);
        expect(r, `${w.name}=${v}`).toMatchObject({ ok: true });
      }
    });
  }
});
