/** `continuous` poll classes: schema (profile and mapping override) and fair sharing in the scheduler (fake clock). */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { DeviceSchema } from '../../src/core/mapping/schema.js';
import { parseProfile } from '../../src/core/profile/schema.js';
import { BusScheduler } from '../../src/protocols/modbus/scheduler.js';
import { FakeTransport, run } from './fake-transport.js';

const profile = (pollClasses: Record<string, unknown>) => ({
  id: 'cont',
  kind: 'meter',
  metadata: { maker: 'ACME', model: 'M', source: 'unit test' },
  pollClasses,
  defaults: { poll: 'fast' },
  points: [{ name: 'W', address: 0, type: 'i16', unit: 'W' }],
});

describe('poll: continuous', () => {
  it('is accepted in a profile and in a mapping override, as 0 ms; other words and too short periods are refused', () => {
    const ok = parseProfile(profile({ fast: 'continuous', slow: 60000 }));
    expect(ok.issues).toEqual([]);
    expect(ok.profile!.pollClasses).toEqual({ fast: 0, slow: 60000 });
    for (const bad of ['contineous', 5, 0, -1]) {
      const r = parseProfile(profile({ fast: bad }));
      expect(r.issues.length).toBeGreaterThan(0);
      expect(r.issues[0]!.path.join('.')).toBe('pollClasses.fast');
    }
    const dev = { id: 'm1', profile: 'eastron-sdm630', connection: 'c1', unit: 1 };
    expect(DeviceSchema.parse({ ...dev, pollClasses: { fast: 'continuous', slow: 1000 } }).pollClasses).toEqual({ fast: 0, slow: 1000 });
    expect(DeviceSchema.safeParse({ ...dev, pollClasses: { fast: 10 } }).success).toBe(false);
    expect(DeviceSchema.safeParse({ ...dev, pollClasses: { fast: 'fast' } }).success).toBe(false);
  });

  it('serves every continuous block of every device in turn, and timed classes keep their rate', async () => {
    const clock = new FakeClock();
    const t = new FakeTransport(clock, false, 1);
    const s = new BusScheduler(t, { clock, random: () => 0.5 });
    const counts = new Map<string, number>();
    const add = (dev: string, unitId: number, blocks: number, intervalMs: number) => {
      if (!s.deviceState(dev)) s.addDevice(dev, unitId);
      for (let b = 0; b < blocks; b++) {
        const key = `${dev}/${intervalMs}/${b}`;
        counts.set(key, 0);
        s.addPollTask(dev, { cls: intervalMs ? 'timed' : 'cont', intervalMs, request: { fc: 3, unitId, address: b * 100, count: 60 }, onResult: () => counts.set(key, counts.get(key)! + 1) });
      }
    };
    add('a', 1, 1, 0);
    add('b', 2, 3, 0);
    add('c', 3, 1, 100); // a timed block alongside
    s.start();
    await run(clock, 10000, 1);
    await s.stop();
    const cont = [...counts].filter(([k]) => !k.includes('/100/')).map(([, n]) => n);
    // 1 ms answers, 4 continuous blocks plus the timed one: each continuous block about 10000 / 4.x times, all equal
    // within the round in progress at the start and at the stop.
    expect(Math.min(...cont)).toBeGreaterThan(1800);
    expect(Math.max(...cont) - Math.min(...cont)).toBeLessThanOrEqual(2);
    expect(counts.get('c/100/0')).toBeGreaterThanOrEqual(99); // 10 s / 100 ms
    expect(s.stats().classes.timed!.lagMaxMs).toBeLessThanOrEqual(5); // waits for at most one round of the others
  });
});
