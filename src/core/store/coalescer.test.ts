import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { Coalescer } from './coalescer.js';

describe('Coalescer', () => {
  it('flushes the first arrival at once and groups the rest of the window into one batch', () => {
    const clock = new FakeClock();
    const out: number[][] = [];
    const c = new Coalescer<number>(clock, 20, (b) => out.push(b));
    c.push([1]);
    expect(out).toEqual([[1]]);
    clock.advance(5);
    c.push([2, 3]);
    clock.advance(5);
    c.push([4]);
    expect(out).toEqual([[1]]);
    clock.advance(10);
    expect(out).toEqual([[1], [2, 3, 4]]);
    clock.advance(100); // quiet: the next one goes at once again
    c.push([5]);
    expect(out).toEqual([[1], [2, 3, 4], [5]]);
    c.push([6]);
    c.flush();
    expect(out).toEqual([[1], [2, 3, 4], [5], [6]]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
