import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { repoRoot, startCli, until, type CliProcess } from './cli.js';
import { initNodeRed } from '../node-red-path.js';
import siteNode from '../../nodes/site.js';
import siteInNode from '../../nodes/site-in.js';

initNodeRed(helper);

// The battery DER gateway pilot as shipped (mappings/pilot-csip-battery.yaml) against `gridbridge sim sep2` (mutual
// TLS with its test PKI) and `gridbridge sim modbus --mapping`: a DERControl opModFixedW of 2000 (a SignedPerCent:
// 20.00 % of the rated 7600 W in the mapping's ratings) becomes the battery's WSet of 1520 W through the arbiter
// (source class dso), and the client sends the Wattsmart integration requirements' exact telemetry list (seed 002):
// one MirrorUsagePoint per data point, Real Power (W) and Frequency (Hz), instantaneous; DERStatus with
// stateOfChargeStatus; DERCapability and DERSettings with their mandatory fields. Headless and through the site node.
const mapping = join(repoRoot, 'mappings', 'pilot-csip-battery.yaml');
const procs: CliProcess[] = [];
let dir = '';
afterEach(async () => {
  for (const p of procs.splice(0).reverse()) await p.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function servers(): Promise<{ server: CliProcess; sim: CliProcess; env: Record<string, string> }> {
  dir = mkdtempSync(join(tmpdir(), 'gb-csip-'));
  const scenario = join(dir, 'scenario.yaml');
  writeFileSync(scenario, `pin: 111115\npollRate: 2\npostRate: 2\nsteps:\n  - { at: 0, control: { base: { opModFixedW: 2000 }, start: 0, duration: 600 } }\n`);
  const server = startCli(['sim', 'sep2', '--port', '0', '--pki-dir', join(dir, 'pki'), '--scenario', scenario]);
  procs.push(server);
  const f = (await server.waitFor((e) => e.event === 'pki', 'test PKI')).files as Record<string, string>;
  const url = (await server.waitFor((e) => e.event === 'listening', 'sep2 server')).url as string;
  const sim = startCli(['sim', 'modbus', '--mapping', mapping, '--tcp', '0', '--quiet']);
  procs.push(sim);
  const port = String((await sim.waitFor((e) => e.event === 'listening', 'sim')).tcp.port);
  return { server, sim, env: { GB_MODBUS_PORT: port, GB_SEP2_URL: url, GRIDBRIDGE_SEP2_CERT: f.clientCert!, GRIDBRIDGE_SEP2_KEY: f.clientKey!, GRIDBRIDGE_SEP2_CA: f.caCert! } };
}

/** The DERControl reaches the battery, and the server received the exact telemetry list. */
async function expectPilot(server: CliProcess, sim: CliProcess): Promise<void> {
  await sim.waitFor((e) => e.event === 'write' && e.unitId === 2 && e.changes.some((c: any) => c.name === 'WSet' && c.value === 1520), 'battery WSet 1520 W', 45_000);
  const posted = (resource: string) => server.waitFor((e) => e.event === 'request' && e.resource === resource && e.status < 300, resource, 45_000).then((e) => e.value as Record<string, any>);
  await server.waitFor((e) => e.event === 'request' && e.resource === 'MirrorMeterReading', 'a MirrorMeterReading post', 45_000);
  const mups = server.events.filter((e) => e.event === 'request' && e.resource === 'MirrorUsagePoint').map((e) => e.value.MirrorMeterReading[0].ReadingType);
  // uom 38 = W, 33 = Hz (IEEE 2030.5 UomType); accumulationBehaviour 12 = instantaneous; dataQualifier 0 = none.
  expect(mups.map((t: any) => t.uom).sort()).toEqual([33, 38]);
  for (const t of mups) expect(t).toMatchObject({ accumulationBehaviour: 12, dataQualifier: 0 });
  expect(await posted('DERStatus')).toHaveProperty('stateOfChargeStatus.value');
  const cap = await posted('DERCapability');
  for (const k of ['rtgMaxChargeRateW', 'rtgMaxDischargeRateW', 'rtgMaxW', 'rtgMaxWh']) expect(cap[k], k).toMatchObject({ multiplier: 0, value: expect.any(Number) });
  const set = await posted('DERSettings');
  for (const k of ['setMaxChargeRateW', 'setMaxDischargeRateW', 'setMaxW', 'setMaxWh']) expect(set[k], k).toMatchObject({ multiplier: 0, value: expect.any(Number) });
}

describe('CSIP battery DER gateway pilot (IEEE 2030.5)', () => {
  it('headless: takes a DERControl to the battery and sends the exact telemetry list', async () => {
    const { server, sim, env } = await servers();
    const run = startCli(['run', mapping], env);
    procs.push(run);
    await expectPilot(server, sim);
    const audit = await run.waitFor((e) => e.event === 'control' && e.sourceClass === 'dso' && e.value === 1520, 'audit of the DERControl', 30_000);
    expect(audit.target).toEqual({ device: 'battery', name: 'WSet' });
  }, 120_000);

  it('through the site node: the same mapping in Node-RED, the DERControl in the site in audit output', async () => {
    const { server, sim, env } = await servers();
    Object.assign(process.env, env);
    try {
      await helper.load(
        [siteNode, siteInNode],
        [
          { id: 's', type: 'gridbridge-site', source: 'file', file: 'mappings/pilot-csip-battery.yaml' },
          { id: 'in', type: 'gridbridge-site-in', site: 's', devices: 'battery', mode: 'batch', wires: [['pts'], [], ['aud']] },
          { id: 'pts', type: 'helper' },
          { id: 'aud', type: 'helper' },
        ],
      );
      const audits: any[] = [];
      helper.getNode('aud').on('input', (m: any) => m.topic === 'audit' && audits.push(m.payload));
      let soc: number | undefined;
      helper.getNode('pts').on('input', (m: any) => (soc = m.payload.find((p: any) => p.name === 'SoC' && p.quality === 'good')?.value ?? soc));
      await expectPilot(server, sim);
      await until(() => audits.find((a) => a.sourceClass === 'dso' && a.value === 1520), 'the DERControl audited through site in');
      expect(await until(() => soc, 'battery SoC out of site in')).toBeGreaterThan(0);
    } finally {
      await helper.unload();
      for (const k of Object.keys(env)) delete process.env[k];
    }
  }, 120_000);
});
