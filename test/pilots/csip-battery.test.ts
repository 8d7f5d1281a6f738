import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startCli, type CliProcess } from './cli.js';

// The battery DER gateway pilot as shipped (mappings/pilot-csip-battery.yaml) headless against `gridbridge sim sep2`
// (mutual TLS with its test PKI): a DERControl opModFixedW of 2000 (a SignedPerCent: 20.00 % of the rated 7600 W
// in the mapping's ratings) becomes the battery's WSet of 1520 W through the arbiter (source class dso), and
// telemetry is posted to the server's mirror usage points.
const mapping = join(repoRoot, 'mappings', 'pilot-csip-battery.yaml');
const procs: CliProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'gb-csip-'));
afterEach(async () => {
  for (const p of procs.splice(0).reverse()) await p.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('CSIP battery DER gateway pilot (IEEE 2030.5)', () => {
  it('takes a DERControl to the battery and posts telemetry', async () => {
    const scenario = join(dir, 'scenario.yaml');
    writeFileSync(scenario, `pin: 111115\npollRate: 2\npostRate: 2\nsteps:\n  - { at: 0, control: { base: { opModFixedW: 2000 }, start: 0, duration: 600 } }\n`);
    const server = startCli(['sim', 'sep2', '--port', '0', '--pki-dir', join(dir, 'pki'), '--scenario', scenario]);
    procs.push(server);
    const pki = await server.waitFor((e) => e.event === 'pki', 'test PKI');
    const url = (await server.waitFor((e) => e.event === 'listening', 'sep2 server')).url as string;
    const sim = startCli(['sim', 'modbus', '--mapping', mapping, '--tcp', '0', '--quiet']);
    procs.push(sim);
    const port = String((await sim.waitFor((e) => e.event === 'listening', 'sim')).tcp.port);
    const f = pki.files as Record<string, string>;
    const run = startCli(['run', mapping, '--sep2-cert', f.clientCert!, '--sep2-key', f.clientKey!, '--sep2-ca', f.caCert!], { GB_MODBUS_PORT: port, GB_SEP2_URL: url });
    procs.push(run);
    await sim.waitFor((e) => e.event === 'write' && e.unitId === 2 && e.changes.some((c: any) => c.name === 'WSet' && c.value === 1520), 'battery WSet 1520 W', 45_000);
    const audit = await run.waitFor((e) => e.event === 'control' && e.sourceClass === 'dso' && e.value === 1520, 'audit of the DERControl', 30_000);
    expect(audit.target).toEqual({ device: 'battery', name: 'WSet' });
    await server.waitFor((e) => e.event === 'request' && e.method === 'POST' && /mup/i.test(String(e.path)), 'a telemetry POST to a mirror usage point', 45_000);
  }, 120_000);
});
