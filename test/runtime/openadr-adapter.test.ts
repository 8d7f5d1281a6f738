/**
 * The OpenADR adapter in a Site: Modbus simulator (inverter + battery) ↔ site runtime ↔ VTN simulator (2.0b PULL,
 * and 3.0.1 polling) on loopback. Reports carry the polled values; event signals bound in the block become Modbus
 * writes through the arbiter and fall back to the mapping's defaults when the interval ends or the event is cancelled.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import type { Point } from '../../src/core/point.js';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { startStation } from './station.js';
import { VtnSim20b, type VtnLogEntry } from '../../src/sim/openadr/vtn20b.js';
import { VtnSim3 } from '../../src/sim/openadr/vtn3.js';
import { vtnScriptSchema } from '../../src/sim/openadr/script.js';
import { loadMappingFile } from '../../src/runtime/validate.js';
import { Site } from '../../src/runtime/site.js';

const root = join(__dirname, '..', '..');
let sim: ModbusSimulator;
let modbusPort: number;
let dir: string;
let site: Site | undefined;

beforeAll(async () => {
  ({ sim, port: modbusPort } = await startStation({ 1: 'dcbel-station-inverter', 2: 'dcbel-station-battery' }));
  dir = mkdtempSync(join(tmpdir(), 'gb-openadr-site-'));
});
afterEach(async () => {
  await site?.stop();
  site = undefined;
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeMapping(name: string, openadr: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `mapping: 1
site: { id: lab }
profileDirs: [${JSON.stringify(join(root, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${modbusPort}, timeoutMs: 500 }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1, pollClasses: { fast: 300 } }
  - { id: battery, profile: dcbel-station-battery, connection: bus, unit: 2, pollClasses: { fast: 300 } }
controls:
  - { device: inverter, name: WMaxLimPct, default: 100 }
  - { device: battery, name: WSet, default: 0 }
upstream:
  openadr:
${openadr.replace(/^/gm, '    ')}
    reports:
      - { device: inverter, point: W }
      - { device: battery, point: SoC, reportType: x-SoC, unit: '%' }
    signals:
      - { signal: SIMPLE, device: inverter, point: WMaxLimPct, mode: cap, levels: { "0": 100, "1": 50, "2": 20, "3": 0 } }
      - { signal: LOAD_DISPATCH, device: battery, point: WSet, mode: value }
`,
  );
  return file;
}

/** A site whose writes and polled values are recorded. */
function startSite(file: string, adapterOpts: Record<string, unknown> = {}) {
  const load = loadMappingFile(file);
  expect(load.errors).toEqual([]);
  const s = new Site(load, { adapters: { openadr: adapterOpts } });
  site = s;
  const writes: Array<{ name: string; value: unknown; ok: boolean }> = [];
  const seen = new Map<string, Set<number>>();
  const warnings: string[] = [];
  s.on('write', (w) => writes.push({ name: w.name, value: w.value, ok: w.ok }));
  s.on('warning', (m) => warnings.push(m));
  s.on('points', (pts: Point[]) => {
    for (const p of pts) {
      if (typeof p.value !== 'number') continue;
      const k = `${p.device}/${p.name}`;
      if (!seen.has(k)) seen.set(k, new Set());
      seen.get(k)!.add(p.value);
    }
  });
  const valuesOf = (name: string) => writes.filter((w) => w.name === name && w.ok).map((w) => w.value);
  return { site: s, writes, seen, warnings, valuesOf };
}

describe('openadr adapter in a site', () => {
  it('2.0b: reports polled values, SIMPLE/LOAD_DISPATCH events become writes, expiry and cancel fall back', async () => {
    const log: VtnLogEntry[] = [];
    const vtn = new VtnSim20b({ clock: systemClock, script: vtnScriptSchema.parse({ pollFreqSec: 1 }), log: (e) => log.push(e) });
    await vtn.start();
    try {
      const file = writeMapping('site-20b.yaml', `version: 2.0b\nvtnUrl: ${vtn.url}\nvenName: lab-ven\npollIntervalSec: 1`);
      const t = startSite(file);
      await t.site.start();
      await vi.waitFor(() => expect(vtn.vens.size).toBe(1), { timeout: 5000, interval: 20 });
      const venID = [...vtn.vens.keys()][0]!;
      await vi.waitFor(() => expect(t.valuesOf('WSet')).toEqual([0]), { timeout: 3000, interval: 20 });
      expect(t.valuesOf('WMaxLimPct')).toEqual([100]);

      // Reports: the VTN asks for TELEMETRY_USAGE every second; the samples are the site's polled values.
      vtn.requestReport(venID, { report: 'TELEMETRY_USAGE', granularity: 1, reportBack: 1, duration: 0 });
      const reported = (rID: string) => log.filter((e) => e.event === 'report' && e.rID === rID && e.quality === 'Quality Good - Non Specific').map((e) => e.value as number);
      await vi.waitFor(() => expect(reported('inverter/W').length).toBeGreaterThan(0), { timeout: 5000, interval: 50 });
      await vi.waitFor(() => expect(reported('battery/SoC').length).toBeGreaterThan(0), { timeout: 5000, interval: 50 });
      for (const v of reported('inverter/W')) expect([...t.seen.get('inverter/W')!]).toContain(v);
      for (const v of reported('battery/SoC')) expect([...t.seen.get('battery/SoC')!]).toContain(v);

      // LOAD_DISPATCH −1500 W for 3 s → battery WSet −1500, then back to the default 0 when the interval ends.
      vtn.addEvent(venID, { id: 'dispatch', signal: 'LOAD_DISPATCH', type: 'setpoint', startIn: 0, intervals: [{ duration: 3, value: -1500 }], responseRequired: 'always', testEvent: false, marketContext: 'http://m' });
      await vi.waitFor(() => expect(t.valuesOf('WSet')).toEqual([0, -1500]), { timeout: 5000, interval: 20 });
      await vi.waitFor(() => expect(t.valuesOf('WSet')).toEqual([0, -1500, 0]), { timeout: 6000, interval: 20 });
      expect(t.site.arbiter.audit.some((a) => a.action === 'expire' && a.target.name === 'WSet')).toBe(true);

      // SIMPLE level 2 for 10 min → WMaxLimPct cap 20; cancelled by the VTN → default 100.
      vtn.addEvent(venID, { id: 'peak', signal: 'SIMPLE', type: 'level', startIn: 0, intervals: [{ duration: 600, value: 2 }], responseRequired: 'always', testEvent: false, marketContext: 'http://m' });
      await vi.waitFor(() => expect(t.valuesOf('WMaxLimPct')).toEqual([100, 20]), { timeout: 5000, interval: 20 });
      vtn.cancelEvent(venID, 'peak');
      await vi.waitFor(() => expect(t.valuesOf('WMaxLimPct')).toEqual([100, 20, 100]), { timeout: 5000, interval: 20 });
      expect(t.site.arbiter.audit.some((a) => a.action === 'cancel' && a.target.name === 'WMaxLimPct')).toBe(true);
      expect(vtn.ven(venID).optResponses.map((o) => [o.eventID, o.optType])).toContainEqual(['peak', 'optIn']);
      expect(t.warnings.filter((w) => /rejected/.test(w))).toEqual([]);
    } finally {
      await site?.stop();
      site = undefined;
      await vtn.stop();
    }
  }, 15_000);

  it('3.0.1: event payloads become a write, the deleted event falls back, the report carries the polled value', async () => {
    const log: Array<{ event: string; [k: string]: unknown }> = [];
    const vtn = new VtnSim3({ version: '3.0.1', clients: { 'lab-ven': 's3cret' }, log: (e) => log.push(e) });
    await vtn.start();
    try {
      const program = vtn.create('programs', { programName: 'flex' });
      const file = writeMapping('site-3.yaml', `version: 3.0.1\nvtnUrl: ${vtn.url}\nvenName: lab-ven\npollIntervalSec: 1\noauth: { clientId: lab-ven }`);
      const t = startSite(file, { clientSecret: 's3cret' });
      await t.site.start();
      await vi.waitFor(() => expect(vtn.store.vens.size).toBe(1), { timeout: 5000, interval: 20 });
      await vi.waitFor(() => expect(t.valuesOf('WMaxLimPct')).toEqual([100]), { timeout: 3000, interval: 20 });
      await vi.waitFor(() => expect(t.seen.get('inverter/W')?.size).toBeGreaterThan(0), { timeout: 3000, interval: 20 });

      const ev = vtn.create('events', {
        programID: program['id'],
        eventName: 'peak',
        intervalPeriod: { start: new Date(Date.now() - 1000).toISOString(), duration: 'PT10M' },
        payloadDescriptors: [{ objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'SIMPLE' }],
        reportDescriptors: [{ payloadType: 'USAGE' }],
        intervals: [{ id: 0, payloads: [{ type: 'SIMPLE', values: [1] }] }],
      });
      await vi.waitFor(() => expect(t.valuesOf('WMaxLimPct')).toEqual([100, 50]), { timeout: 5000, interval: 20 });
      await vi.waitFor(() => expect(log.some((e) => e.event === 'created' && e.collection === 'reports')).toBe(true), { timeout: 5000, interval: 20 });
      const rep = log.find((e) => e.event === 'created' && e.collection === 'reports')!.report as { resources: Array<{ resourceName: string; intervals: Array<{ payloads: Array<{ type: string; values: number[] }> }> }> };
      const w = rep.resources.find((r) => r.resourceName === 'inverter')!;
      expect(w.intervals[0]!.payloads[0]!.type).toBe('USAGE');
      expect([...t.seen.get('inverter/W')!]).toContain(w.intervals[0]!.payloads[0]!.values[0]);

      vtn.remove('events', String(ev['id']));
      await vi.waitFor(() => expect(t.valuesOf('WMaxLimPct')).toEqual([100, 50, 100]), { timeout: 5000, interval: 20 });
      expect(t.site.arbiter.audit.some((a) => a.action === 'cancel' && a.target.name === 'WMaxLimPct')).toBe(true);
    } finally {
      await site?.stop();
      site = undefined;
      await vtn.stop();
    }
  }, 12_000);

  it('a VEN that cannot be built (3.x without a client secret) reports down instead of breaking the site', async () => {
    const file = writeMapping('site-bad.yaml', `version: 3.0.1\nvtnUrl: http://127.0.0.1:9\nvenName: lab-ven\noauth: { clientId: lab-ven, clientSecretEnv: GB_TEST_NO_SUCH_SECRET }`);
    const t = startSite(file);
    const states: Array<{ component: string; state: string; reason?: string }> = [];
    t.site.on('status', (s) => states.push(s));
    await t.site.start();
    expect(states.find((s) => s.component === 'openadr')).toMatchObject({ state: 'down', reason: expect.stringMatching(/client secret/) });
    expect(t.warnings.some((w) => w.startsWith('openadr:'))).toBe(true);
  });
});
