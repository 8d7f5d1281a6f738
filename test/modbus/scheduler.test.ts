import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { BusScheduler, type SchedulerOptions, type TaskResult } from '../../src/protocols/modbus/scheduler.js';
import { ModbusConnectionError, ModbusExceptionError, ModbusTimeoutError, type ReadRequest } from '../../src/protocols/modbus/types.js';
import { FakeTransport, flush, run } from './fake-transport.js';

function setup(opts: SchedulerOptions = {}, serial = true, delay = 10) {
  const clock = new FakeClock();
  const t = new FakeTransport(clock, serial, delay);
  const s = new BusScheduler(t, { clock, random: () => 0.5, timeoutMs: 200, retries: 0, ...opts });
  return { clock, t, s };
}

function addPoll(s: BusScheduler, dev: string, cls: string, intervalMs: number, address: number, results: TaskResult[] = []) {
  const unitId = Number(dev.replace(/\D/g, ''));
  const request: ReadRequest = { fc: 3, unitId, address, count: 2 };
  s.addPollTask(dev, { cls, intervalMs, request, onResult: (r) => results.push(r) });
  return results;
}

function countFor(t: FakeTransport, unitId: number, address?: number) {
  return t.log.filter((l) => l.req.unitId === unitId && (address === undefined || l.req.address === address)).length;
}

describe('BusScheduler', () => {
  it('runs exactly one transaction at a time on a serial line, across unit ids', async () => {
    const { clock, t, s } = setup();
    for (const d of ['d1', 'd2', 'd3']) {
      s.addDevice(d, Number(d[1]));
      for (let a = 0; a < 5; a++) addPoll(s, d, 'fast', 100, a * 10);
    }
    s.start();
    await run(clock, 3000, 5);
    expect(t.log.length).toBeGreaterThan(100);
    expect(t.maxInFlight).toBe(1);
    await s.stop();
  });

  it('allows N in flight on TCP when configured', async () => {
    const { clock, t, s } = setup({ maxInFlight: 4 }, false, 50);
    for (const d of ['d1', 'd2']) {
      s.addDevice(d, Number(d[1]));
      for (let a = 0; a < 6; a++) addPoll(s, d, 'fast', 100, a * 10);
    }
    s.start();
    await run(clock, 1000, 5);
    expect(t.maxInFlight).toBe(4);
    await s.stop();
  });

  it('serves a write before every queued poll', async () => {
    const { clock, t, s } = setup({}, true, 50);
    s.addDevice('d1', 1);
    for (let a = 0; a < 20; a++) addPoll(s, 'd1', 'fast', 10000, a * 10);
    s.start();
    await run(clock, 60, 5); // first poll in flight, 19 queued
    const before = t.log.length;
    const w = s.write('d1', { fc: 6, unitId: 1, address: 500, value: 42 });
    await run(clock, 100, 5);
    await expect(w).resolves.toEqual({});
    const idx = t.log.findIndex((l) => l.req.fc === 6);
    expect(idx).toBe(before); // right after the transaction that was on the wire
    expect(t.registers.get(500)).toBe(42);
    expect(s.stats().queued).toBeGreaterThan(10);
    await s.stop();
  });

  it('shares the bus fairly across devices and poll classes', async () => {
    const { clock, t, s } = setup({}, true, 10);
    for (const d of ['d1', 'd2', 'd3']) {
      s.addDevice(d, Number(d[1]));
      addPoll(s, d, 'fast', 1000, 0);
      addPoll(s, d, 'fast', 1000, 100);
      addPoll(s, d, 'slow', 10000, 200);
    }
    s.start();
    await run(clock, 60000, 10);
    for (const u of [1, 2, 3]) {
      expect(countFor(t, u, 0)).toBeGreaterThanOrEqual(60);
      expect(countFor(t, u, 0)).toBeLessThanOrEqual(61);
      expect(Math.abs(countFor(t, u, 100) - countFor(t, u, 0))).toBeLessThanOrEqual(1);
      expect(countFor(t, u, 200)).toBe(6);
    }
    const st = s.stats();
    expect(st.classes.fast!.polls).toBeGreaterThanOrEqual(360);
    expect(st.classes.slow!.polls).toBe(18);
    expect(st.classes.fast!.overruns).toBe(0);
    expect(st.classes.fast!.lagMaxMs).toBeLessThan(100);
    await s.stop();
  });

  it('a silent unit goes offline and costs the others nothing beyond its own timeouts', async () => {
    const { clock, t, s } = setup({ offlineAfter: 2, timeoutMs: 200 }, true, 10);
    const states: string[] = [];
    s.on('device', (d) => states.push(`${d.device}:${d.state}`));
    const res: Record<string, TaskResult[]> = {};
    for (const d of ['d1', 'd2', 'd3']) {
      s.addDevice(d, Number(d[1]));
      res[d] = addPoll(s, d, 'fast', 500, 0);
    }
    t.behaviour.set(2, { kind: 'silent' });
    s.start();
    await run(clock, 30000, 10);
    expect(states).toContain('d2:offline');
    expect(s.deviceState('d2')?.state).toBe('offline');
    expect(s.status.state).toBe('degraded');
    // d1 and d3 keep their full rate: 30 s / 500 ms.
    for (const u of [1, 3]) expect(countFor(t, u)).toBeGreaterThanOrEqual(59);
    // d2 got its two failing polls and then only spaced probes (500 ms doubling to the 5 s cap of a serial line).
    expect(countFor(t, 2)).toBeLessThan(14); // probes back off to 5 s on a serial line
    const failures = res.d2!.filter((r) => !r.ok);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((r) => !r.ok && r.error instanceof ModbusTimeoutError)).toBe(true);
    // It comes back: the next probe succeeds and polling resumes.
    t.behaviour.delete(2);
    await run(clock, 70000, 20);
    expect(s.deviceState('d2')?.state).toBe('online');
    expect(s.status.state).toBe('up');
    expect(states.at(-1)).toBe('d2:online');
    await s.stop();
  });

  it('probes an offline device with exponential backoff capped at maxMs', async () => {
    const { clock, t, s } = setup({ offlineAfter: 1, timeoutMs: 100, probeBackoff: { initialMs: 1000, maxMs: 8000, factor: 2, jitter: 0 } });
    s.addDevice('d1', 1);
    addPoll(s, 'd1', 'fast', 1000, 0);
    t.behaviour.set(1, { kind: 'silent' });
    s.start();
    await run(clock, 60000, 10);
    const at = t.log.map((l) => l.at);
    const gaps = at.slice(1).map((x, i) => Math.round(x - at[i]!));
    // timeout (100) + backoff: 1000, 2000, 4000, 8000, 8000 …
    expect(gaps.slice(0, 6)).toEqual([1100, 2100, 4100, 8100, 8100, 8100]);
    expect(s.probeDelayOf('d1')).toBe(8000);
    await s.stop();
  });

  it('applies jitter to the probe delay within the configured fraction', async () => {
    let r = 0;
    const seq = [0, 0.999, 0, 0.999, 0.5];
    const clock = new FakeClock();
    const t = new FakeTransport(clock);
    const s = new BusScheduler(t, { clock, random: () => seq[r++ % seq.length]!, timeoutMs: 100, retries: 0, offlineAfter: 1, probeBackoff: { initialMs: 1000, maxMs: 1000, jitter: 0.2 } });
    s.addDevice('d1', 1);
    addPoll(s, 'd1', 'fast', 1000, 0);
    t.behaviour.set(1, { kind: 'silent' });
    s.start();
    await run(clock, 10000, 10);
    const at = t.log.map((l) => l.at);
    const gaps = at.slice(1).map((x, i) => x - at[i]! - 100);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(790);
      expect(g).toBeLessThanOrEqual(1210);
    }
    expect(new Set(gaps.map((g) => Math.round(g / 100))).size).toBeGreaterThan(1);
    await s.stop();
  });

  it('keeps polling under exceptions and counts them; exceptions do not take a device offline', async () => {
    const { clock, t, s } = setup({ offlineAfter: 1 });
    s.addDevice('d1', 1);
    s.addDevice('d2', 2);
    const r1 = addPoll(s, 'd1', 'fast', 100, 0);
    const r2 = addPoll(s, 'd2', 'fast', 100, 0);
    t.behaviour.set(1, { kind: 'exception', code: 2 });
    s.start();
    await run(clock, 5000, 10);
    expect(r1.length).toBeGreaterThanOrEqual(49);
    expect(r2.length).toBeGreaterThanOrEqual(49);
    const e = r1[0]!;
    expect(e.ok).toBe(false);
    expect(!e.ok && e.error instanceof ModbusExceptionError && e.error.code === 2 && e.error.exceptionName).toBe('illegal data address');
    expect(s.deviceState('d1')?.state).toBe('online');
    expect(s.stats().devices.d1!.exceptions).toBe(r1.length);
    await s.stop();
  });

  it('retries a timed-out request before reporting it', async () => {
    const { clock, t, s } = setup({ retries: 2, offlineAfter: 5, timeoutMs: 100 });
    s.addDevice('d1', 1);
    const res = addPoll(s, 'd1', 'fast', 10000, 0);
    t.behaviour.set(1, { kind: 'silent' });
    s.start();
    await run(clock, 1000, 10);
    expect(countFor(t, 1)).toBe(3);
    expect(res.length).toBe(1);
    expect(s.stats().retries).toBe(2);
    await s.stop();
  });

  it('drops the oldest poll on overload, counts it, never drops a write', async () => {
    const { clock, t, s } = setup({ maxQueue: 4 }, true, 100);
    const dropped: number[] = [];
    s.on('dropped', (_d, r) => dropped.push(r.address));
    s.addDevice('d1', 1);
    for (let a = 0; a < 10; a++) addPoll(s, 'd1', 'fast', 100000, a * 10);
    s.start();
    const writes = [1, 2, 3, 4, 5, 6].map((v) => s.write('d1', { fc: 6, unitId: 1, address: 900 + v, value: v }));
    await run(clock, 3000, 10);
    expect(dropped).toEqual([0, 10, 20, 30, 40, 50]);
    expect(s.stats().dropped).toBe(6);
    expect(s.stats().devices.d1!.dropped).toBe(6);
    await expect(Promise.all(writes)).resolves.toHaveLength(6);
    expect(t.log.filter((l) => l.req.fc === 6)).toHaveLength(6);
    // The kept polls (newest four) still ran.
    expect(t.log.filter((l) => l.req.fc === 3).map((l) => l.req.address)).toEqual([60, 70, 80, 90]);
    await s.stop();
  });

  it('counts an overrun instead of queueing a task twice', async () => {
    const { clock, s } = setup({}, true, 300);
    s.addDevice('d1', 1);
    addPoll(s, 'd1', 'fast', 100, 0);
    addPoll(s, 'd1', 'fast', 100, 10);
    s.start();
    await run(clock, 2000, 10);
    const st = s.stats();
    expect(st.overruns).toBeGreaterThan(0);
    expect(st.queued).toBeLessThanOrEqual(2);
    await s.stop();
  });

  it('reports the port down with a reason, reconnects with growing backoff, and never crashes', async () => {
    const { clock, t, s } = setup({ reconnectBackoff: { initialMs: 500, maxMs: 4000, factor: 2, jitter: 0 }, writeDeadlineMs: 1000 });
    const statuses: string[] = [];
    s.on('status', (st) => statuses.push(`${st.state}${st.reason ? `:${st.reason}` : ''}`));
    s.addDevice('d1', 1);
    const res = addPoll(s, 'd1', 'fast', 100, 0);
    t.openFails = 'ENOENT: no such file /dev/ttyUSB0';
    s.start();
    await run(clock, 10000, 10);
    expect(s.status.state).toBe('down');
    expect(s.status.reason).toMatch(/ENOENT/);
    expect(statuses.some((x) => x.startsWith('down:ENOENT'))).toBe(true);
    // 0, 500, 1500, 3500, 7500 → 5 attempts in 10 s
    expect(t.opens).toBe(5);
    // A write while down fails after its deadline with a reason (never vanishes).
    const w = s.write('d1', { fc: 6, unitId: 1, address: 1, value: 1 });
    await run(clock, 1500, 10);
    await expect(w).rejects.toBeInstanceOf(ModbusConnectionError);
    await expect(w).rejects.toThrow(/port down/);
    // Device comes back.
    t.openFails = undefined;
    await run(clock, 5000, 10);
    expect(s.status.state).toBe('up');
    expect(res.length).toBeGreaterThan(0);
    // Cable pulled while running: down, then up again; polls resume.
    const n = res.length;
    t.drop();
    expect(s.status.state).toBe('down');
    await run(clock, 2000, 10);
    expect(s.status.state).toBe('up');
    expect(res.length).toBeGreaterThan(n);
    await s.stop();
    expect(s.status).toEqual({ state: 'down', reason: 'stopped' });
  });

  it('a write queued during a short outage is sent after reconnect', async () => {
    const { clock, t, s } = setup({ reconnectBackoff: { initialMs: 200, jitter: 0 }, writeDeadlineMs: 5000 });
    s.addDevice('d1', 1);
    addPoll(s, 'd1', 'fast', 1000, 0);
    s.start();
    await run(clock, 100, 10);
    t.drop();
    const w = s.write('d1', { fc: 6, unitId: 1, address: 7, value: 7 });
    await run(clock, 1000, 10);
    await expect(w).resolves.toEqual({});
    expect(t.registers.get(7)).toBe(7);
    await s.stop();
  });

  it('uses only the injected clock (no pending real timers after stop)', async () => {
    const { clock, s } = setup();
    s.addDevice('d1', 1);
    addPoll(s, 'd1', 'fast', 100, 0);
    s.start();
    await run(clock, 500, 10);
    await s.stop();
    await flush();
    clock.advance(10000);
    expect(clock.pendingTimers()).toBe(0);
  });
});
