/**
 * Fault path of the BusScheduler on a fake clock: bounded reconnect backoff, the 'online' event after start / outage /
 * offline, and a silent unit on a shared TCP connection (slow lane, no head-of-line blocking, no healthy unit marked bad).
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { BusScheduler, type DeviceOnline, type SchedulerOptions, type TaskResult } from '../../src/protocols/modbus/scheduler.js';
import { FakeTransport, run } from './fake-transport.js';

function setup(opts: SchedulerOptions = {}, serial = false, delay = 2) {
  const clock = new FakeClock();
  const t = new FakeTransport(clock, serial, delay);
  const s = new BusScheduler(t, { clock, random: () => 0.999, timeoutMs: 1000, retries: 1, ...opts });
  return { clock, t, s };
}

/** `blocks` poll tasks of 60 registers every `every` ms for each unit; returns their results by unit. */
function addUnits(s: BusScheduler, units: number[], blocks: number, every: number): Map<number, TaskResult[]> {
  const out = new Map<number, TaskResult[]>();
  for (const u of units) {
    const res: TaskResult[] = [];
    out.set(u, res);
    s.addDevice(`u${u}`, u);
    for (let b = 0; b < blocks; b++) s.addPollTask(`u${u}`, { cls: 'fast', intervalMs: every, request: { fc: 3, unitId: u, address: b * 100, count: 60 }, onResult: (r) => res.push(r) });
  }
  return out;
}

describe('BusScheduler fault path', () => {
  it('keeps reconnect attempts at most 500 ms apart through a long outage (default backoff, worst jitter)', async () => {
    const { clock, t, s } = setup();
    const res = addUnits(s, [1], 1, 100).get(1)!;
    s.start();
    await run(clock, 500, 5);
    const opensBefore = t.opens;
    t.openFails = 'ECONNREFUSED';
    t.drop('connection closed');
    const attempts: number[] = [];
    const origOpen = t.open.bind(t);
    t.open = async () => {
      attempts.push(clock.monotonic());
      return origOpen();
    };
    await run(clock, 20000, 5); // a 20 s outage
    const gaps = attempts.slice(1).map((a, i) => a - attempts[i]!);
    expect(gaps.length).toBeGreaterThan(35);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(505); // 500 ms cap + the 5 ms step of the fake clock
    expect(Math.max(...gaps)).toBeGreaterThan(450); // it did grow to the cap
    // Server back: the next attempt connects and the poll answers.
    t.openFails = undefined;
    const back = clock.monotonic();
    const n = res.length;
    await run(clock, 1000, 5);
    const firstGood = res.slice(n).find((r) => r.ok);
    expect(firstGood).toBeDefined();
    expect(t.opens).toBeGreaterThan(opensBefore);
    expect(clock.monotonic() - back).toBeLessThanOrEqual(1000);
    await s.stop();
  });

  it("emits 'online' once per device after start, after a connection outage and after being offline", async () => {
    const { clock, t, s } = setup({ offlineAfter: 1, retries: 0, timeoutMs: 100, probeBackoff: { initialMs: 200, maxMs: 200 } });
    addUnits(s, [1, 2], 1, 100);
    const online: DeviceOnline[] = [];
    s.on('online', (e) => online.push(e));
    s.start();
    await run(clock, 1000, 5);
    expect(online).toEqual([
      { device: 'u1', unitId: 1, after: 'start' },
      { device: 'u2', unitId: 2, after: 'start' },
    ]);
    online.length = 0;
    t.drop('connection closed');
    await run(clock, 2000, 5);
    expect(online.map((e) => `${e.device}:${e.after}`).sort()).toEqual(['u1:port-down', 'u2:port-down']);
    online.length = 0;
    t.behaviour.set(2, { kind: 'silent' });
    await run(clock, 1000, 5);
    expect(s.deviceState('u2')?.state).toBe('offline');
    expect(online).toEqual([]);
    t.behaviour.delete(2);
    await run(clock, 1000, 5);
    expect(online).toEqual([{ device: 'u2', unitId: 2, after: 'offline' }]);
    await s.stop();
  });

  it('a silent unit on a shared TCP connection costs the others under 10 % and never marks them bad', async () => {
    // 4 units × 10 blocks of 60 registers every 100 ms, one request in flight, 2 ms answers.
    const baseline = setup();
    const b = addUnits(baseline.s, [1, 2, 3, 4], 10, 100);
    baseline.s.start();
    await run(baseline.clock, 20000, 1);
    await baseline.s.stop();

    const { clock, t, s } = setup();
    const r = addUnits(s, [1, 2, 3, 4], 10, 100);
    const states: string[] = [];
    s.on('device', (d) => states.push(`${d.device}:${d.state}`));
    t.behaviour.set(3, { kind: 'silent' });
    s.start();
    await run(clock, 20000, 1);
    for (const u of [1, 2, 4]) {
      const good = r.get(u)!.filter((x) => x.ok).length;
      const base = b.get(u)!.filter((x) => x.ok).length;
      expect(base).toBeGreaterThan(1900);
      expect(good / base).toBeGreaterThanOrEqual(0.9);
      expect(r.get(u)!.every((x) => x.ok)).toBe(true); // never a failure for a healthy unit
      expect(s.deviceState(`u${u}`)?.state).toBe('online');
    }
    expect(states.filter((x) => x.endsWith(':offline'))).toEqual(['u3:offline']);
    expect(s.stats().devices.u3!.slowLane).toBeGreaterThan(0);
    // The silent unit's requests ran beside the normal slot, never two of its own at once.
    expect(t.maxInFlight).toBe(2);
    await s.stop();
  });

  it('does not retry a unit already known silent, and uses the shorter silent timeout for it', async () => {
    const { clock, t, s } = setup({ timeoutMs: 1000, silentTimeoutMs: 300, offlineAfter: 10 }, true);
    const res = addUnits(s, [1], 1, 5000).get(1)!;
    t.behaviour.set(1, { kind: 'silent' });
    s.start();
    await run(clock, 12000, 5);
    // The poll at 0 waits the full 1000 ms, its retry (the unit is now known silent) 300 ms; then one attempt per
    // 5 s period, 300 ms each, never retried.
    expect(t.log.length).toBe(4);
    expect(t.log[1]!.at - t.log[0]!.at).toBe(1000);
    expect(res.map((r) => r.ok)).toEqual([false, false, false]);
    expect(res.map((r) => r.time - r.sentAt)).toEqual([300, 300, 300]);
    expect(s.stats().retries).toBe(1);
    await s.stop();
  });

  it('a slow unit that missed one answer still comes back (the short timeout never undercuts its usual answer time)', async () => {
    const { clock, t, s } = setup({ timeoutMs: 1000, silentTimeoutMs: 300, retries: 0 }, true);
    const res = addUnits(s, [1], 1, 2000).get(1)!;
    const states: string[] = [];
    s.on('device', (d) => states.push(d.state));
    t.behaviour.set(1, { kind: 'ok', delayMs: 700 });
    s.start();
    await run(clock, 4500, 5); // two answers at 700 ms
    t.behaviour.set(1, { kind: 'silent' });
    await run(clock, 2000, 5); // one timeout: now known silent
    t.behaviour.set(1, { kind: 'ok', delayMs: 700 });
    await run(clock, 6500, 5);
    // Polls at 0, 2, 4 s answer; the one at 6 s times out; those at 8, 10, 12 s answer after 700 ms although the
    // unit was known silent (its timeout stays at 3 × 700 ms capped to 1000 ms, not 300 ms).
    expect(res.map((r) => r.ok)).toEqual([true, true, true, false, true, true, true]);
    expect(states).toEqual(['online']);
    await s.stop();
  });
});
