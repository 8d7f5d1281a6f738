/** Test fixture: a Modbus TCP simulator on a loopback ephemeral port serving built-in profiles by unit id. */
import { join } from 'node:path';
import { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { loadProfileFile } from '../../src/runtime/validate.js';

export const repoRoot = join(__dirname, '..', '..');

export async function startStation(units: Record<number, string>): Promise<{ sim: ModbusSimulator; port: number }> {
  const sim = new ModbusSimulator({
    units: Object.entries(units).map(([unitId, id]) => {
      const loaded = loadProfileFile(join(repoRoot, 'device-profiles', `${id}.yaml`));
      if (!loaded.profile) throw new Error(`profile ${id}: ${JSON.stringify(loaded.errors)}`);
      return { unitId: Number(unitId), profile: loaded.profile };
    }),
  });
  const { port } = await sim.listenTcp(0, '127.0.0.1');
  return { sim, port };
}

/** A loopback port with nothing listening on it (free now; a peer can be started there later). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A one-connection site mapping on the simulator at `port`: devices as `unit: profile id` (polled every `fastMs` in
 * the fast class), the built-in profile directory, and `extra` YAML appended (controls:, upstream: …).
 */
export function stationMapping(site: string, port: number, devices: Record<string, [number, string]>, extra = '', fastMs = 100): string {
  const lines = Object.entries(devices).map(([id, [unit, profile]]) => `  - { id: ${id}, profile: ${profile}, connection: bus, unit: ${unit}, pollClasses: { fast: ${fastMs} } }`);
  return [
    'mapping: 1',
    `site: { id: ${site} }`,
    `profileDirs: [${JSON.stringify(join(repoRoot, 'device-profiles'))}]`,
    'connections:',
    `  bus: { type: tcp, host: 127.0.0.1, port: ${port}, timeoutMs: 500 }`,
    'devices:',
    ...lines,
    extra,
  ].join('\n');
}
