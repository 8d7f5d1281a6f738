import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { repoRoot, startCli, until, type CliProcess } from './cli.js';
import { initNodeRed } from '../node-red-path.js';
import siteNode from '../../nodes/site.js';
import siteInNode from '../../nodes/site-in.js';
import siteControlNode from '../../nodes/site-control.js';

initNodeRed(helper);

// The customer energy manager pilots against `gridbridge sim vtn` (a separate process) and the station simulator:
//   - pilot-openadr-cem.yaml: the VEN registers, reports, and a SIMPLE level-1 event becomes a 50 % cap on the
//     inverter through the arbiter (source class aggregator);
//   - pilot-openadr-cem-report-only.yaml: the PAS 1878 "Report Only" VEN (seed 004) registers and reports the mapped
//     points, answers the same event with optOut and writes nothing for it; the household is controlled locally
//     (through the site node: a site control from the CEM's own logic reaches the battery).
// Both headless (`gridbridge run`) and through the gridbridge site node in a Node-RED test runtime.
const SCRIPT = `pollFreqSec: 1
steps:
  - { at: 3, reportRequest: { report: TELEMETRY_USAGE, granularity: 2, reportBack: 2 } }
  - { at: 1, event: { id: ev-1, signal: SIMPLE, startIn: 0, intervals: [{ duration: 120, value: 1 }] } }
`;
const procs: CliProcess[] = [];
let dir = '';
afterEach(async () => {
  for (const p of procs.splice(0).reverse()) await p.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function vtnAndStation(mapping: string): Promise<{ vtn: CliProcess; sim: CliProcess; env: Record<string, string> }> {
  dir = mkdtempSync(join(tmpdir(), 'gb-oadr-'));
  writeFileSync(join(dir, 'vtn.yaml'), SCRIPT);
  const vtn = startCli(['sim', 'vtn', '--port', '0', '--script', join(dir, 'vtn.yaml')]);
  procs.push(vtn);
  const url = (await vtn.waitFor((e) => e.event === 'vtn_listening', 'VTN listening')).url as string;
  const sim = startCli(['sim', 'modbus', '--mapping', mapping, '--tcp', '0', '--quiet']);
  procs.push(sim);
  const port = String((await sim.waitFor((e) => e.event === 'listening', 'sim')).tcp.port);
  return { vtn, sim, env: { GB_MODBUS_PORT: port, GB_VTN_URL: url.replace(/\/OpenADR2.*$/, '') } };
}

const capWrite = (e: Record<string, any>) => e.event === 'write' && e.unitId === 1 && e.changes.some((c: any) => c.name === 'WMaxLimPct' && c.value === 50);

/** Registration, the mapped points reported; with events: the level-1 cap on the inverter; report-only: optOut, no cap. */
async function expectVen(vtn: CliProcess, sim: CliProcess, reportOnly: boolean): Promise<void> {
  await vtn.waitFor((e) => e.event === 'registered', 'VEN registered', 30_000);
  await vtn.waitFor((e) => e.event === 'report', 'a report from the VEN', 30_000);
  if (!reportOnly) {
    await sim.waitFor(capWrite, 'inverter capped at 50 %', 30_000);
    return;
  }
  const opt = await vtn.waitFor((e) => (e.event === 'event_response' || e.event === 'opt') && e.eventID === 'ev-1', 'the VEN answer to ev-1', 30_000);
  expect(opt.optType).toBe('optOut');
  // Reporting goes on after the answer (the report-only VEN stays registered); the inverter never got the cap.
  const seen = vtn.events.indexOf(opt);
  await vtn.waitFor((e) => e.event === 'report' && vtn.events.indexOf(e) > seen, 'a report after the answer', 30_000);
  expect(sim.events.some(capWrite)).toBe(false);
}

const pilots = [
  { file: 'pilot-openadr-cem.yaml', reportOnly: false },
  { file: 'pilot-openadr-cem-report-only.yaml', reportOnly: true },
];

describe.each(pilots)('PAS 1878 CEM pilot $file (OpenADR 2.0b VEN)', ({ file, reportOnly }) => {
  const mapping = join(repoRoot, 'mappings', file);

  it('headless: registers, reports, and handles the event as the mapping says', async () => {
    const { vtn, sim, env } = await vtnAndStation(mapping);
    const run = startCli(['run', mapping], env);
    procs.push(run);
    await expectVen(vtn, sim, reportOnly);
    if (!reportOnly) {
      const audit = await run.waitFor((e) => e.event === 'control' && e.sourceClass === 'aggregator' && e.cap === 50, 'audit of the event cap', 30_000);
      expect(audit.target).toEqual({ device: 'inverter', name: 'WMaxLimPct' });
    } else expect(run.events.some((e) => e.event === 'control' && e.sourceClass === 'aggregator')).toBe(false);
  }, 90_000);

  it('through the site node: the same, and a local control from the flow reaches the battery', async () => {
    const { vtn, sim, env } = await vtnAndStation(mapping);
    Object.assign(process.env, env);
    try {
      await helper.load(
        [siteNode, siteInNode, siteControlNode],
        [
          { id: 's', type: 'gridbridge-site', source: 'file', file: `mappings/${file}` },
          { id: 'in', type: 'gridbridge-site-in', site: 's', devices: 'meter', mode: 'batch', wires: [['pts'], [], []] },
          { id: 'ctl', type: 'gridbridge-site-control', site: 's', sourceClass: 'local_plan', validForS: '60', wires: [['res']] },
          { id: 'pts', type: 'helper' },
          { id: 'res', type: 'helper' },
        ],
      );
      let w: number | undefined;
      helper.getNode('pts').on('input', (m: any) => (w = m.payload.find((p: any) => p.name === 'W' && p.quality === 'good')?.value ?? w));
      await until(() => w, 'meter W out of site in');
      await expectVen(vtn, sim, reportOnly);
      const res = new Promise<any>((r) => helper.getNode('res').on('input', r));
      helper.getNode('ctl').receive({ payload: { device: 'battery', name: 'WSet', value: -800 } });
      expect((await res).payload).toMatchObject({ outcome: 'applied', sourceClass: 'local_plan', field: { state: 'held' } });
      await sim.waitFor((e) => e.event === 'write' && e.unitId === 2 && e.changes.some((c: any) => c.name === 'WSet' && c.value === -800), 'battery WSet -800 W');
    } finally {
      await helper.unload();
      for (const k of Object.keys(env)) delete process.env[k];
    }
  }, 90_000);
});
