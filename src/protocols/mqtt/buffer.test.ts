import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BoundedBuffer } from './buffer.js';

describe('BoundedBuffer', () => {
  it('keeps FIFO order and drops the oldest beyond its bound, counting drops', () => {
    const b = new BoundedBuffer<number>(3);
    expect([1, 2, 3].map((n) => b.push(n))).toEqual([undefined, undefined, undefined]);
    expect(b.push(4)).toBe(1);
    expect(b.push(5)).toBe(2);
    expect(b.dropped).toBe(2);
    expect([...b]).toEqual([3, 4, 5]);
    expect(b.shift()).toBe(3);
    expect(b.size).toBe(2);
  });

  it('unshift puts a message in front; when full that oldest message is the one dropped', () => {
    const b = new BoundedBuffer<string>(2);
    b.push('b');
    expect(b.unshift('a')).toBeUndefined();
    expect([...b]).toEqual(['a', 'b']);
    expect(b.unshift('z')).toBe('z');
    expect(b.dropped).toBe(1);
    expect([...b]).toEqual(['a', 'b']);
  });

  it('rejects a bound that is not a positive integer', () => {
    expect(() => new BoundedBuffer(0)).toThrow(RangeError);
    expect(() => new BoundedBuffer(1.5)).toThrow(RangeError);
  });

  it('behaves like a reference array model under random operations (grows past its initial ring)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.oneof(fc.constant<'shift'>('shift'), fc.constant<'unshift'>('unshift'), fc.integer()), { maxLength: 600 }),
        (max, ops) => {
          const b = new BoundedBuffer<number>(max);
          const model: number[] = [];
          let dropped = 0;
          let next = -1;
          for (const op of ops) {
            if (op === 'shift') expect(b.shift()).toBe(model.shift());
            else if (op === 'unshift') {
              const v = next--;
              if (model.length === max) dropped++;
              else model.unshift(v);
              b.unshift(v);
            } else {
              if (model.length === max) {
                model.shift();
                dropped++;
              }
              model.push(op);
              b.push(op);
            }
            expect(b.size).toBe(model.length);
          }
          expect([...b]).toEqual(model);
          expect(b.dropped).toBe(dropped);
        },
      ),
      { numRuns: 200 },
    );
  });
});
