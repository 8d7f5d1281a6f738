/**
 * The 2030.5 adapter in a Site: Modbus simulator (inverter + battery) ↔ site runtime ↔ 2030.5 test server over mTLS
 * on loopback. Field values reach the server as MirrorMeterReadings and DERStatus; DERControls become Modbus writes
 * through the arbiter and fall back to the mapping's defaults when they end or are cancelled.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlIntent } from '../../src/core/control.js';
import type { Point } from '../../src/core/point.js';
import type { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { startStation } from './station.js';
import { ensureTestPki, type TestPki } from '../../src/sim/sep2/pki.js';
import { Sep2TestServer } from '../../src/sim/sep2/server.js';
import { parseScenario } from '../../src/sim/sep2/scenario.js';
import { loadMappingFile } from '../../src/runtime/validate.js';
import { Site } from '../../src/runtime/site.js';
import { IntentSync, resolveSep2Tls } from '../../src/runtime/adapters/sep2.js';
import { FakeClock } from '../../src/core/clock.js';

const root = join(__dirname, '..', '..');
let sim: ModbusSimulator;
let server: Sep2TestServer;
let pki: TestPki;
let dir: string;
let site: Site | undefined;

beforeAll(async () => {
  let addr: { port: number };
  ({ sim, ...addr } = await startStation({ 1: 'dcbel-station-inverter', 2: 'dcbel-station-battery' }));
  dir = mkdtempSync(join(tmpdir(), 'gb-sep2-site-'));
  pki = ensureTestPki(join(dir, 'pki'));
  server = new Sep2TestServer({ pki, scenario: parseScenario('pin: 111115\npollRate: 1\npostRate: 1\n') });
  await server.start();
  writeFileSync(
    join(dir, 'site.yaml'),
    `mapping: 1
site: { id: lab }
profileDirs: [${JSON.stringify(join(root, 'device-profiles'))}]
connections:
  bus: { type: tcp, host: 127.0.0.1, port: ${addr.port}, timeoutMs: 500 }
devices:
  - { id: inverter, profile: dcbel-station-inverter, connection: bus, unit: 1, pollClasses: { fast: 300 } }
  - { id: battery, profile: dcbel-station-battery, connection: bus, unit: 2, pollClasses: { fast: 300 } }
controls:
  - { device: inverter, name: WMaxLimPct, default: 100 }
  - { device: battery, name: WSet, default: 0 }
upstream:
  sep2:
    server: ${server.url}
    pin: 111115
    device: battery
    controls:
      opModMaxLimW: { device: inverter, name: WMaxLimPct }
    telemetry:
      - { device: inverter, name: W, quantity: realPower }
      - { device: inverter, name: Hz, quantity: frequency }
    stateOfCharge: { device: battery, name: SoC }
    ratings: { maxW: 5000, maxChargeRateW: 4000, maxDischargeRateW: 5000, maxWh: 13500 }
    intervalSeconds: 1
`,
  );
});

afterAll(async () => {
  await site?.stop();
  await server.stop();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sep2 adapter in a site', () => {
  it('mirrors field points, turns DERControls into Modbus writes, falls back on expiry and on cancel', async () => {
    const load = loadMappingFile(join(dir, 'site.yaml'));
    expect(load.errors).toEqual([]);
    site = new Site(load, { adapters: { sep2: { tls: { cert: pki.clientCert, key: pki.clientKey, ca: pki.caCert }, attempts: 2, backoffMs: 200, timeoutMs: 3000 } } });
    const writes: Array<{ name: string; value: unknown; ok: boolean }> = [];
    const seen = new Map<string, Set<number>>();
    const warnings: string[] = [];
    const states: string[] = [];
    site.on('write', (w) => writes.push({ name: w.name, value: w.value, ok: w.ok }));
    site.on('warning', (m) => warnings.push(m));
    site.on('status', (s) => s.component === 'sep2' && states.push(s.state));
    site.on('points', (pts: Point[]) => {
      for (const p of pts) if (typeof p.value === 'number') (seen.get(`${p.device}/${p.name}`) ?? seen.set(`${p.device}/${p.name}`, new Set()).get(`${p.device}/${p.name}`)!).add(p.value);
    });
    const valuesOf = (name: string) => writes.filter((w) => w.name === name && w.ok).map((w) => w.value);
    await site.start();
    await vi.waitFor(() => expect(states).toContain('up'), { timeout: 8000, interval: 50 });

    // Telemetry: one MirrorUsagePoint per bound point, readings carry the values the site polled.
    await vi.waitFor(() => expect(server.mirrors.size).toBe(2), { timeout: 5000, interval: 50 });
    const mirrorOf = (key: string) => [...server.mirrors].find(([, m]) => m.description === key)![0];
    const wHref = mirrorOf('inverter/W');
    const hzHref = mirrorOf('inverter/Hz');
    const readingsOf = (href: string) => [...server.readings].filter(([k]) => k.startsWith(`${href}|`)).map(([, r]) => r.value!);
    await vi.waitFor(() => expect(readingsOf(wHref).length).toBeGreaterThan(0), { timeout: 6000, interval: 50 });
    await vi.waitFor(() => expect(readingsOf(hzHref).length).toBeGreaterThan(0), { timeout: 6000, interval: 50 });
    const polledW = [...seen.get('inverter/W')!].map((v) => Math.round(v));
    for (const v of readingsOf(wHref)) expect(polledW).toContain(v);
    const polledHz = [...seen.get('inverter/Hz')!].map((v) => Math.round(v / 10 ** -2)); // uom Hz, ×10⁻² (as the telemetry buffer scales)
    for (const v of readingsOf(hzHref)) expect(polledHz).toContain(v);
    // DERStatus carries the battery SoC (hundredths of a percent).
    await vi.waitFor(() => expect(server.derResources.get('DERStatus')).toMatchObject({ stateOfChargeStatus: { value: expect.any(Number) } }), { timeout: 12000, interval: 100 });
    const soc = (server.derResources.get('DERStatus') as { stateOfChargeStatus: { value: number } }).stateOfChargeStatus.value;
    expect([...seen.get('battery/SoC')!].map((v) => Math.round(v * 100))).toContain(soc);

    // Fail-safe defaults are written at start.
    await vi.waitFor(() => expect(valuesOf('WSet')).toEqual([0]), { timeout: 3000, interval: 20 });
    expect(valuesOf('WMaxLimPct')).toEqual([100]);

    // opModFixedW 50 % of setMaxDischargeRateW (5000 W) → battery WSet 2500, then back to 0 when the event ends.
    const fixed = server.addControl({ duration: 3, base: { opModFixedW: 5000 } });
    await vi.waitFor(() => expect(valuesOf('WSet')).toEqual([0, 2500]), { timeout: 5000, interval: 20 });
    await vi.waitFor(() => expect(valuesOf('WSet')).toEqual([0, 2500, 0]), { timeout: 6000, interval: 20 });
    expect(site.arbiter.audit.some((a) => a.action === 'expire' && a.intentId === `${fixed.mRID}:opModFixedW`)).toBe(true);

    // opModMaxLimW 50 % (override: inverter WMaxLimPct) as a cap → 50; the server cancels it → default 100.
    const lim = server.addControl({ duration: 600, base: { opModMaxLimW: 5000 } });
    await vi.waitFor(() => expect(valuesOf('WMaxLimPct')).toEqual([100, 50]), { timeout: 5000, interval: 20 });
    server.cancel(lim.mRID, 2);
    await vi.waitFor(() => expect(valuesOf('WMaxLimPct')).toEqual([100, 50, 100]), { timeout: 5000, interval: 20 });
    expect(site.arbiter.audit.some((a) => a.action === 'cancel' && a.intentId === `${lim.mRID}:opModMaxLimW`)).toBe(true);
    // The client told the server: received, started, cancelled.
    await vi.waitFor(() => expect(server.responses().filter((r) => r.subject === lim.mRID).map((r) => r.status)).toContain(6), { timeout: 5000, interval: 50 });
    expect(warnings.filter((w) => w.startsWith('sep2:') && /rejected/.test(w))).toEqual([]);
  }, 14_000);
});

describe('sep2 adapter pieces', () => {
  it('IntentSync submits new and changed intents once and cancels only those dropped before their end', () => {
    const clock = new FakeClock(1_000_000);
    const submitted: string[] = [];
    const cancelled: string[] = [];
    const sync = new IntentSync({
      clock,
      submit: (i) => (submitted.push(`${i.id}=${i.cap ?? String(i.value)}`), { intentId: i.id, outcome: 'applied', target: i.target, validFrom: i.validFrom, validTo: i.validTo }),
      cancel: (id) => void cancelled.push(id),
      warn: () => undefined,
    });
    const intent = (id: string, cap: number, validTo: number): ControlIntent => ({ id, source: 'sep2:/derp/0', sourceClass: 'dso', target: { device: 'inv', name: 'WMaxLimPct' }, cap, validFrom: 0, validTo });
    sync.apply([intent('a', 50, 2_000_000), intent('b', 20, 1_500_000)]);
    sync.apply([intent('a', 50, 2_000_000), intent('b', 20, 1_500_000)]);
    expect(submitted).toEqual(['a=50', 'b=20']);
    sync.apply([intent('a', 40, 2_000_000), intent('b', 20, 1_500_000)]);
    expect(submitted).toEqual(['a=50', 'b=20', 'a=40']);
    clock.advance(600_000); // b is over: dropping it needs no cancel; a still runs: dropping it is a cancel
    sync.apply([]);
    expect(cancelled).toEqual(['a']);
    expect(sync.size).toBe(0);
  });

  it('TLS material comes from the options, else from files named by the environment, else a clear error', () => {
    const d = mkdtempSync(join(tmpdir(), 'gb-sep2-tls-'));
    try {
      writeFileSync(join(d, 'c.pem'), 'CERT');
      writeFileSync(join(d, 'k.pem'), 'KEY');
      const env = { GRIDBRIDGE_SEP2_CERT: join(d, 'c.pem'), GRIDBRIDGE_SEP2_KEY: join(d, 'k.pem') };
      expect(resolveSep2Tls({ env, tls: { ca: 'CA' } })).toEqual({ cert: 'CERT', key: 'KEY', ca: 'CA' });
      expect(() => resolveSep2Tls({ env })).toThrow(/GRIDBRIDGE_SEP2_CA/);
      expect(() => resolveSep2Tls({ env: { ...env, GRIDBRIDGE_SEP2_CA: join(d, 'missing.pem') } })).toThrow(/missing\.pem/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
