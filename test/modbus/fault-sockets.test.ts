/**
 * Fault path over real loopback sockets: a Modbus TCP server stopped (its connections cut) and started again on the
 * same port, and a silent unit id sharing the connection with healthy ones. No timing assertions (see bench/modbus.ts
 * for recovery time and silent-unit cost); these check what happens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Point } from '../../src/core/point.js';
import type { DeviceOnline } from '../../src/protocols/modbus/scheduler-types.js';
import { ModbusPort } from '../../src/protocols/modbus/port.js';
import { parseFault } from '../../src/sim/modbus/faults.js';
import { loadProfile } from '../../src/sim/modbus/profile-file.js';
import { ModbusSimulator } from '../../src/sim/modbus/server.js';
import { waitFor } from './wait.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c().catch(() => undefined);
});

function simulator(units: number[]): ModbusSimulator {
  const profile = loadProfile('eastron-sdm630');
  return new ModbusSimulator({ units: units.map((unitId) => ({ unitId, profile })) });
}

describe('Modbus fault path over real sockets', () => {
  it("recovers after the server is stopped and started again: 'online' after port-down, good points again", async () => {
    let sim = simulator([1]);
    const { port } = await sim.listenTcp(0);
    cleanups.push(() => sim.close());
    const mp = new ModbusPort({ tcp: { host: '127.0.0.1', port } }, { timeoutMs: 300, retries: 0 });
    cleanups.push(() => mp.stop());
    mp.addDevice({ id: 'm1', unitId: 1, profile: loadProfile('eastron-sdm630'), pollClasses: { fast: 100, normal: 100, slow: 100 } });
    const online: DeviceOnline[] = [];
    const states: string[] = [];
    const pts: Point[] = [];
    mp.on('online', (e, d) => {
      expect(d.id).toBe(e.device);
      online.push(e);
    });
    mp.on('status', (s) => states.push(s.state));
    mp.on('points', (p) => pts.push(...p));
    mp.start();
    await waitFor(() => online.length === 1);
    expect(online[0]).toEqual({ device: 'm1', unitId: 1, after: 'start' });

    await sim.close(); // the server goes away: connection cut, connects refused
    await waitFor(() => states.includes('down'));
    await waitFor(() => pts.some((p) => p.quality.code === 'not_connected'));
    await new Promise((r) => setTimeout(r, 2500)); // an outage long enough for the old backoff to have grown
    const reconnects = mp.stats().reconnects;
    expect(reconnects).toBeGreaterThan(3); // it kept trying at a bounded interval

    const n = pts.length;
    sim = simulator([1]);
    await sim.listenTcp(port);
    await waitFor(() => online.length === 2, 8000);
    expect(online[1]).toEqual({ device: 'm1', unitId: 1, after: 'port-down' });
    await waitFor(() => pts.slice(n).some((p) => p.name === 'W' && p.quality.code === 'good'));
    expect(mp.status.state).toBe('up');
    expect(mp.device('m1')!.status.state).toBe('online');
  });

  it('a silent unit on the shared connection never makes a healthy unit time out or go offline', async () => {
    const sim = simulator([1, 2, 3, 4]);
    sim.faults = [parseFault('silent,unit=3')];
    const { port } = await sim.listenTcp(0);
    cleanups.push(() => sim.close());
    const mp = new ModbusPort({ tcp: { host: '127.0.0.1', port } }, { timeoutMs: 1000, retries: 1 });
    cleanups.push(() => mp.stop());
    const profile = loadProfile('eastron-sdm630');
    for (const u of [1, 2, 3, 4]) mp.addDevice({ id: `m${u}`, unitId: u, profile, pollClasses: { fast: 100, normal: 100, slow: 100 } });
    const bad = new Map<string, number>();
    const events: string[] = [];
    mp.on('points', (p, d) => {
      if (p.some((x) => x.quality.code !== 'good' && x.quality.code !== 'not_implemented')) bad.set(d.id, (bad.get(d.id) ?? 0) + 1);
    });
    mp.on('device', (s) => events.push(`${s.device}:${s.state}`));
    mp.start();
    await waitFor(() => events.includes('m3:offline'), 8000);
    const st0 = mp.stats();
    await new Promise((r) => setTimeout(r, 1500));
    const st = mp.stats();
    for (const id of ['m1', 'm2', 'm4']) {
      expect(bad.get(id) ?? 0).toBe(0);
      expect(st.devices[id]!.timeouts).toBe(0);
      expect(st.devices[id]!.state).toBe('online');
      expect(st.devices[id]!.responses).toBeGreaterThan(st0.devices[id]!.responses);
    }
    expect(events.filter((e) => e.endsWith('offline'))).toEqual(['m3:offline']);
    expect(st.devices.m3!.slowLane).toBeGreaterThan(0);
    expect(st.devices.m3!.timeouts).toBeGreaterThan(0);
  });
});
