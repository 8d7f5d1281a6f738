import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { Forwarder, memoryQueue } from './index.js';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('Forwarder', () => {
  it('replays a backlog in order at the configured rate, faster than real time but bounded', async () => {
    const clock = new FakeClock();
    const q = memoryQueue<number>('q');
    for (let b = 0; b < 10; b++) q.append(range(b * 100, b * 100 + 100));
    const got: number[] = [];
    const f = new Forwarder(q, { clock, ratePerS: 200, maxInflight: 50, send: async (v) => (got.push(v), true) });
    f.online(true);
    await flush();
    expect(got.length).toBe(20); // the burst: rate/10
    for (let t = 0; t < 100; t++) {
      clock.advance(10);
      await flush();
    }
    // 1 s at 200/s after the burst of 20
    expect(got.length).toBeGreaterThanOrEqual(200);
    expect(got.length).toBeLessThanOrEqual(221);
    for (let t = 0; t < 500; t++) {
      clock.advance(10);
      await flush();
    }
    expect(got).toEqual(range(0, 1000));
    expect(q.stats()).toMatchObject({ delivered: 1000, depth: 0 });
  });

  it('waits with at most maxInflight unconfirmed, and sends new items as they are stored', async () => {
    const clock = new FakeClock();
    const q = memoryQueue<number>('q');
    const pending: Array<() => void> = [];
    const got: number[] = [];
    const f = new Forwarder(q, { clock, ratePerS: 0, maxInflight: 3, send: (v) => new Promise((res) => (got.push(v), pending.push(() => res(true)))) });
    f.online(true);
    q.append(range(0, 10));
    expect(got).toEqual([0, 1, 2]);
    pending.shift()!();
    await flush();
    expect(got).toEqual([0, 1, 2, 3]);
    while (pending.length) {
      pending.shift()!();
      await flush();
    }
    expect(got).toEqual(range(0, 10));
    expect(f.inFlight).toBe(0);
  });

  it('a lost link hands the unconfirmed items out again in order when it is back (at least once, nothing lost)', async () => {
    const clock = new FakeClock();
    const q = memoryQueue<number>('q');
    const pending = new Map<number, (ok: boolean) => void>();
    const got: number[] = [];
    const f = new Forwarder(q, { clock, ratePerS: 0, maxInflight: 4, send: (v) => new Promise((res) => (got.push(v), pending.set(v, res))) });
    q.append(range(0, 8));
    f.online(true);
    expect(got).toEqual([0, 1, 2, 3]);
    pending.get(1)!(true); // confirmed out of order
    await flush();
    f.online(false);
    pending.get(0)!(true); // a late confirmation of the old connection still counts
    await flush();
    got.length = 0;
    f.online(true);
    expect(got).toEqual([2, 3, 4, 5]);
    for (const v of [2, 3, 4, 5]) pending.get(v)!(true);
    await flush();
    expect(got).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('a failed send is retried after retryMs from the oldest unconfirmed item; a refused one is counted and removed', async () => {
    const clock = new FakeClock();
    const q = memoryQueue<number>('q');
    const warnings: string[] = [];
    let failOnce = true;
    const got: number[] = [];
    const f = new Forwarder(q, {
      clock,
      ratePerS: 0,
      maxInflight: 1,
      retryMs: 500,
      warn: (m) => warnings.push(m),
      send: async (v) => {
        got.push(v);
        if (v === 2 && failOnce) {
          failOnce = false;
          throw new Error('broker said no');
        }
        return v !== 3;
      },
    });
    q.append(range(0, 5));
    f.online(true);
    await flush();
    expect(got).toEqual([0, 1, 2]);
    clock.advance(499);
    await flush();
    expect(got).toEqual([0, 1, 2]);
    clock.advance(1);
    for (let i = 0; i < 5; i++) await flush();
    expect(got).toEqual([0, 1, 2, 2, 3, 4]);
    expect(f.refused).toBe(1);
    expect(f.retries).toBe(1);
    expect(q.stats()).toMatchObject({ depth: 0 });
    expect(warnings.join('\n')).toMatch(/broker said no[\s\S]*refused/);
  });
});
