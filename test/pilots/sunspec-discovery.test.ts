import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { ModbusPort } from '../../src/protocols/modbus/port.js';
import { discoverSunSpec, holdingReader } from '../../src/protocols/modbus/sunspec-discovery.js';
import { loadProfileFile } from '../../src/runtime/validate.js';
import { repoRoot } from './cli.js';

// The static SunSpec profiles assume a model chain (their header comments); discovery on a device serving that chain
// (the simulator with --sunspec) must find each model where the profile's addresses put it, so the profile's
// points line up with the models a real device announces. On site, `gridbridge probe modbus --sunspec` shows the chain.
const cases = [
  { id: 'sunspec-inverter', chain: [1, 103, 120, 121, 122, 123], at: { 1: 40002, 103: 40070, 120: 40122, 121: 40150, 122: 40182, 123: 40228 }, point: ['WMaxLimPct', 123, 5] },
  { id: 'sunspec-storage', chain: [1, 124], at: { 1: 40002, 124: 40070 }, point: ['WChaMax', 124, 2] },
  { id: 'sunspec-meter', chain: [1, 203], at: { 1: 40002, 203: 40070 }, point: ['W', 203, 18] },
] as const;
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

describe('SunSpec discovery against the shipped SunSpec profiles', () => {
  it.each(cases)('$id: every model where the profile expects it, and decoded', async ({ id, chain, at, point }) => {
    const profile = loadProfileFile(join(repoRoot, 'device-profiles', `${id}.yaml`)).profile!;
    const sim = new ModbusSimulator({ units: [{ unitId: 1, profile, sunspec: { base: 40000, models: [...chain] } }] });
    const { port } = await sim.listenTcp(0);
    const mb = new ModbusPort({ tcp: { host: '127.0.0.1', port } }, { site: 'd', timeoutMs: 1000 });
    mb.start();
    stops.push(async () => {
      await mb.stop();
      await sim.close();
    });
    const found = await discoverSunSpec(holdingReader(1, (r) => mb.readRaw(r)));
    expect(found?.base).toBe(40000);
    expect(Object.fromEntries(found!.models.map((m) => [m.id, m.address]))).toEqual(at);
    expect(found!.models.filter((m) => m.problem).map((m) => `${m.id}: ${m.problem}`)).toEqual([]);
    // The profile's point sits at the model's ID address + its offset in the model definition.
    const [name, model, offset] = point;
    expect(profile.points.find((p) => p.name === name)?.address).toBe(found!.models.find((m) => m.id === model)!.address + offset);
  });
});
