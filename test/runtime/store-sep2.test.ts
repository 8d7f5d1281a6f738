/**
 * 2030.5 telemetry through the durable store: samples taken while the 2030.5 server is unreachable survive a restart
 * of the runtime and are posted as MirrorMeterReadings for their own intervals once the server is there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/protocols/mqtt/testing.js';
import { Site } from '../../src/runtime/site.js';
import { loadMappingFile } from '../../src/runtime/validate.js';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { ensureTestPki, type TestPki } from '../../src/sim/sep2/pki.js';
import { parseScenario } from '../../src/sim/sep2/scenario.js';
import { Sep2TestServer } from '../../src/sim/sep2/server.js';
import { freePort, repoRoot, startStation } from './station.js';

let sim: ModbusSimulator;
let simPort: number;
let dir: string;
let pki: TestPki;


function mapping(server: string): string {
  const file = join(dir, 'site.yaml');
  writeFileSync(
    file,
    `mapping: 1
site: { id: lab, stateDir: ./state }
profileDirs: [${JSON.stringify(join(repoRoot, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${simPort}, timeoutMs: 500 }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1, pollClasses: { fast: 200 } }
upstream:
  sep2:
    server: ${server}
    pin: 111115
    device: inverter
    telemetry:
      - { device: inverter, name: W, quantity: realPower }
    ratings: { maxW: 5000, maxChargeRateW: 4000, maxDischargeRateW: 5000, maxWh: 13500 }
    intervalSeconds: 1
`,
  );
  return file;
}

beforeAll(async () => {
  ({ sim, port: simPort } = await startStation({ 1: 'dcbel-station-inverter' }));
  dir = mkdtempSync(join(tmpdir(), 'gb-store-sep2-'));
  pki = ensureTestPki(join(dir, 'pki'));
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('2030.5 telemetry through the store', () => {
  it('intervals sampled while the server was unreachable are posted after a restart', async () => {
    const adapters = { sep2: { tls: { cert: pki.clientCert, key: pki.clientKey, ca: pki.caCert }, attempts: 1, backoffMs: 100, timeoutMs: 1000 } };
    // 1. The server is unreachable: samples are stored.
    const load1 = loadMappingFile(mapping(`https://127.0.0.1:${await freePort()}/dcap`));
    expect(load1.errors).toEqual([]);
    const first = new Site(load1, { adapters });
    const sampled = new Set<number>();
    first.on('points', (pts) => pts.forEach((p) => p.name === 'W' && p.quality.code === 'good' && sampled.add(Math.floor((p.sourceTime ?? p.receiveTime) / 1000))));
    await first.start();
    await waitFor(() => sampled.size >= 4, 15000, '4 intervals sampled');
    expect(first.storeStats().sep2!.depth).toBeGreaterThan(0);
    await first.stop();
    const offline = [...sampled].sort();

    // 2. Restart with the server there: the stored intervals are posted for their own times.
    const server = new Sep2TestServer({ pki, scenario: parseScenario('pin: 111115\npollRate: 1\npostRate: 1\n') });
    await server.start();
    const second = new Site(loadMappingFile(mapping(server.url)), { adapters });
    try {
      await second.start();
      const posted = () => new Set([...server.readings.keys()].map((k) => Number(k.split('|')[1])));
      await waitFor(() => offline.every((s) => posted().has(s)), 15000, `readings for the offline intervals ${offline.join(',')}`);
      await waitFor(() => (second.storeStats().sep2?.delivered ?? 0) > 0, 10000, 'samples confirmed');
      expect(second.storeStats().sep2).toMatchObject({ evicted: 0, durable: true });
    } finally {
      await second.stop();
      await server.stop();
    }
  }, 40_000);
});
