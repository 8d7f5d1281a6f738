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
