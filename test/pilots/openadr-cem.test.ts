import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startCli, type CliProcess } from './cli.js';

// The customer energy manager pilot as shipped (mappings/pilot-openadr-cem.yaml) headless: `gridbridge sim vtn`
// registers the VEN, asks for reports and sends a SIMPLE level-1 event; the event becomes a 50 % cap on the
// simulated inverter through the arbiter, and the VEN reports the mapped points.
const mapping = join(repoRoot, 'mappings', 'pilot-openadr-cem.yaml');
const procs: CliProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'gb-oadr-'));
afterEach(async () => {
  for (const p of procs.splice(0).reverse()) await p.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('PAS 1878 CEM pilot (OpenADR 2.0b VEN)', () => {
  it('registers, honours a SIMPLE event as an inverter cap, and reports', async () => {
    const script = join(dir, 'vtn.yaml');
    writeFileSync(
      script,
      `pollFreqSec: 1
steps:
  - { at: 3, reportRequest: { report: TELEMETRY_USAGE, granularity: 2, reportBack: 2 } }
  - { at: 1, event: { id: ev-1, signal: SIMPLE, startIn: 0, intervals: [{ duration: 120, value: 1 }] } }
`,
    );
    const vtn = startCli(['sim', 'vtn', '--port', '0', '--script', script]);
    procs.push(vtn);
    const url = (await vtn.waitFor((e) => e.event === 'vtn_listening', 'VTN listening')).url as string;
    const sim = startCli(['sim', 'modbus', '--mapping', mapping, '--tcp', '0', '--quiet']);
    procs.push(sim);
    const port = String((await sim.waitFor((e) => e.event === 'listening', 'sim')).tcp.port);
    const run = startCli(['run', mapping], { GB_MODBUS_PORT: port, GB_VTN_URL: url.replace(/\/OpenADR2.*$/, '') });
    procs.push(run);
    await vtn.waitFor((e) => e.event === 'registered', 'VEN registered', 30_000);
    // Level 1 → WMaxLimPct cap 50 (the mapping's levels), written to the inverter (unit 1).
    await sim.waitFor((e) => e.event === 'write' && e.unitId === 1 && e.changes.some((c: any) => c.name === 'WMaxLimPct' && c.value === 50), 'inverter capped at 50 %', 30_000);
    const audit = await run.waitFor((e) => e.event === 'control' && e.sourceClass === 'aggregator' && e.cap === 50, 'audit of the event cap', 30_000);
    expect(audit.target).toEqual({ device: 'inverter', name: 'WMaxLimPct' });
    await vtn.waitFor((e) => e.event === 'report', 'a report from the VEN', 30_000);
  }, 90_000);
});
