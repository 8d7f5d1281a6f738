import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { loadProfileFile } from '../../src/runtime/validate.js';
import { repoRoot } from '../pilots/cli.js';

// The simulator's moving values are per device: the demo station's four devices (and two units of one profile) each
// draw their own power curve, so a dashboard or a chart shows four lines, not one.
const profile = (id: string) => loadProfileFile(join(repoRoot, 'device-profiles', `${id}.yaml`)).profile!;

/** Raw registers of point `name` over one simulated 2-minute window (every 5 s). */
function curve(sim: ModbusSimulator, unitId: number, name: string): string[] {
  const img = sim.images.get(unitId)!;
  const p = img.profile.points.find((q) => q.name === name)!;
  const out: string[] = [];
  for (let t = 0; t <= 120; t += 5) {
    img.refresh(t);
    out.push(img.readRegisters(p.function as 'holding' | 'input', p.address, p.length).join(','));
  }
  return out;
}

describe('simulator curves', () => {
  it('gives each device its own W curve (different profiles, and two units of one profile)', () => {
    const ids = ['dcbel-station-inverter', 'dcbel-station-battery', 'dcbel-ev-charger'];
    const sim = new ModbusSimulator({ units: [...ids.map((id, i) => ({ unitId: i + 1, profile: profile(id) })), { unitId: 9, profile: profile(ids[0]!) }] });
    const curves = [1, 2, 3, 9].map((u) => curve(sim, u, 'W'));
    for (const c of curves) expect(new Set(c).size, 'the value moves').toBeGreaterThan(5);
    for (let i = 0; i < curves.length; i++) for (let j = i + 1; j < curves.length; j++) expect(curves[i], `units ${i} and ${j}`).not.toEqual(curves[j]);
  });

  it('is deterministic: the same profile on the same unit draws the same curve in another simulator', () => {
    const a = new ModbusSimulator({ units: [{ unitId: 1, profile: profile('dcbel-station-inverter') }] });
    const b = new ModbusSimulator({ units: [{ unitId: 1, profile: profile('dcbel-station-inverter') }] });
    expect(curve(a, 1, 'W')).toEqual(curve(b, 1, 'W'));
  });
});
