import { afterEach, describe, expect, it } from 'vitest';
import type { Point } from '../../src/core/point.js';
import { ModbusPort } from '../../src/protocols/modbus/port.js';
import { discoverSunSpec, holdingReader } from '../../src/protocols/modbus/sunspec-discovery.js';
import { loadProfile } from '../../src/sim/modbus/profile-file.js';
import { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { waitFor } from './wait.js';
import { parseFault } from '../../src/sim/modbus/faults.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function start(units: Array<{ unitId: number; profile: string; sunspec?: boolean }>, portOpts = {}) {
  const sim = new ModbusSimulator({
    units: units.map((u) => ({
      unitId: u.unitId,
      profile: loadProfile(u.profile),
      ...(u.sunspec ? { sunspec: { base: 40000, models: [1, 103, 120, 121, 122, 123] } } : {}),
    })),
  });
  const { port } = await sim.listenTcp(0);
  const mp = new ModbusPort({ tcp: { host: '127.0.0.1', port } }, { timeoutMs: 300, retries: 0, offlineAfter: 2, probeBackoff: { initialMs: 200 }, ...portOpts });
  cleanups.push(async () => {
    await mp.stop();
    await sim.close();
  });
  return { sim, mp };
}

describe('ModbusPort against the simulator (TCP loopback)', () => {
  it('polls a profile and publishes canonical points with quality and times', async () => {
    const { mp } = await start([{ unitId: 1, profile: 'eastron-sdm630' }]);
    const dev = mp.addDevice({ id: 'meter1', unitId: 1, profile: loadProfile('eastron-sdm630'), site: 'site' });
    const seen = new Map<string, Point>();
    mp.on('points', (pts) => pts.forEach((p) => seen.set(p.name, p)));
    const statuses: string[] = [];
    mp.on('status', (s) => statuses.push(s.state));
    mp.start();
    await waitFor(() => seen.has('WH') && seen.has('W') && seen.has('PhV'));
    const w = seen.get('W')!;
    expect(w).toMatchObject({ id: 'site/meter1/W', device: 'meter1', kind: 'meter', name: 'W', unit: 'W', quality: { code: 'good' } });
    expect(typeof w.value).toBe('number');
    expect(w.receiveTime).toBeGreaterThanOrEqual(w.sourceTime!);
    const v = seen.get('PhVphA')!;
    expect(v.value as number).toBeGreaterThan(220);
    expect(v.value as number).toBeLessThan(240);
    // kWh in the profile → canonical Wh (sim counters start at 1000 kWh).
    expect(seen.get('WH')).toMatchObject({ unit: 'Wh' });
    expect(seen.get('WH')!.value as number).toBeGreaterThanOrEqual(1_000_000);
    expect(statuses).toContain('up');
    expect(dev.status.state).toBe('online');
  });

  it('checks writes before the bus, verifies by read-back, maps exceptions', async () => {
    const { sim, mp } = await start([{ unitId: 1, profile: 'dcbel-station-battery' }]);
    const bat = mp.addDevice({ id: 'bat', unitId: 1, profile: loadProfile('dcbel-station-battery'), pollClasses: { fast: 60000, normal: 60000, slow: 60000 } });
    mp.start();
    await waitFor(() => mp.status.state === 'up');
    const ok = await bat.write('WSet', -2500, { verify: true });
    expect(ok).toMatchObject({ ok: true, readBack: ok.sent });
    expect(sim.images.get(1)!.readRegisters('holding', 100, 2)).toEqual(ok.sent);

    const before = sim.requests;
    const tooBig = await bat.write('WSet', 9000);
    expect(tooBig).toMatchObject({ ok: false, failure: 'refused' });
    expect(tooBig.reason).toMatch(/max 7600/);
    const ro = await bat.write('SoC', 5);
    expect(ro).toMatchObject({ ok: false, failure: 'refused' });
    const unknown = await mp.write('bat', 'Nope', 1);
    expect(unknown).toMatchObject({ ok: false, failure: 'refused' });
    expect(sim.requests).toBe(before); // nothing reached the bus

    sim.faults = [parseFault('exception=4,fn=holding,start=102')];
    const exc = await bat.write('WChaMax', 100);
    expect(exc).toMatchObject({ ok: false, failure: 'exception', exceptionCode: 4 });
    expect(exc.reason).toMatch(/server device failure/);
    const enumWrite = await bat.write('Conn', 'CONNECT', { verify: true });
    expect(enumWrite).toMatchObject({ ok: true, sent: [1] });
  });

  it('turns exceptions and silence into point quality, and a silent unit goes offline without stopping others', async () => {
    const { sim, mp } = await start([
      { unitId: 1, profile: 'eastron-sdm630' },
      { unitId: 2, profile: 'eastron-sdm630' },
      { unitId: 3, profile: 'eastron-sdm630' },
    ]);
    const profile = loadProfile('eastron-sdm630');
    const fast = { fast: 100, normal: 100, slow: 100 };
    for (const u of [1, 2, 3]) mp.addDevice({ id: `m${u}`, unitId: u, profile, pollClasses: fast });
    sim.faults = [parseFault('silent,unit=2'), parseFault('exception=2,unit=3,fn=input,start=0x48,count=4')];
    const byDev = new Map<string, Point[]>();
    mp.on('points', (pts, d) => byDev.set(d.id, [...(byDev.get(d.id) ?? []), ...pts]));
    const devEvents: string[] = [];
    mp.on('device', (s) => devEvents.push(`${s.device}:${s.state}`));
    mp.start();
    await waitFor(() => devEvents.includes('m2:offline'));
    await waitFor(() => (byDev.get('m3') ?? []).some((p) => p.name === 'TotWhImp'));
    const m2 = byDev.get('m2')!;
    expect(m2.some((p) => p.quality.code === 'timeout')).toBe(true);
    expect(m2.some((p) => p.quality.code === 'not_connected')).toBe(true);
    const imp = byDev.get('m3')!.find((p) => p.name === 'TotWhImp')!;
    expect(imp).toMatchObject({ value: null, quality: { code: 'device_exception' } });
    expect(imp.quality.reason).toMatch(/exception 2 \(illegal data address\)/);
    expect(byDev.get('m3')!.some((p) => p.name === 'W' && p.quality.code === 'good')).toBe(true);
    expect(mp.status.state).toBe('degraded');
    const n1 = (byDev.get('m1') ?? []).length;
    await new Promise((r) => setTimeout(r, 300));
    expect((byDev.get('m1') ?? []).length).toBeGreaterThan(n1);
    // Unit 2 answers again → back online.
    sim.faults = [];
    await waitFor(() => devEvents.includes('m2:online'), 8000);
    const st = mp.stats();
    expect(st.devices.m2!.timeouts).toBeGreaterThan(0);
    expect(st.devices.m3!.exceptions).toBeGreaterThan(0);
  });

  it('reports the port down with a reason when nothing listens, and recovers', async () => {
    const mp = new ModbusPort({ tcp: { host: '127.0.0.1', port: 1 } }, { reconnectBackoff: { initialMs: 50, maxMs: 100 } });
    cleanups.push(() => mp.stop());
    const states: string[] = [];
    mp.on('status', (s) => states.push(`${s.state}:${s.reason ?? ''}`));
    mp.addDevice({ id: 'm', unitId: 1, profile: loadProfile('eastron-sdm630') });
    mp.start();
    await waitFor(() => states.filter((s) => s.startsWith('down:')).length >= 2);
    expect(states.find((s) => s.startsWith('down:'))).toMatch(/ECONNREFUSED/);
    const w = await mp.write('m', 'W', 1);
    expect(w.ok).toBe(false);
  });

  it('discovers the SunSpec model chain and decodes known models', async () => {
    const { mp } = await start([{ unitId: 1, profile: 'sunspec-inverter', sunspec: true }]);
    mp.start();
    await waitFor(() => mp.status.state === 'up');
    const found = await discoverSunSpec(holdingReader(1, (r) => mp.readRaw(r)));
    expect(found?.base).toBe(40000);
    expect(found!.models.map((m) => [m.id, m.address])).toEqual([
      [1, 40002],
      [103, 40070],
      [120, 40122],
      [121, 40150],
      [122, 40182],
      [123, 40228],
    ]);
    const inv = found!.models[1]!.decoded!;
    expect(inv.points.Hz?.value).toBeCloseTo(50, 0);
    expect(inv.points.Hz?.quality.code).toBe('good');
  });
});
