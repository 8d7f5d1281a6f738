import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { GOOD, quality, type Point } from '../../core/point.js';
import { ReportByException } from './exception.js';

const pt = (value: Point['value'], q = GOOD): Point => ({ id: 'd/W', device: 'd', name: 'W', value, quality: q, receiveTime: 0 });

function setup() {
  const clock = new FakeClock();
  const sent: Point['value'][] = [];
  const rbe = new ReportByException(clock, (p) => sent.push(p.value));
  return { clock, sent, rbe };
}

describe('ReportByException', () => {
  it('sends every change when no rule is set, suppresses repeats', () => {
    const { sent, rbe } = setup();
    expect([1, 1, 2, 2, 1].map((v) => rbe.offer('k', pt(v), {}))).toEqual(['sent', 'suppressed', 'sent', 'suppressed', 'sent']);
    expect(sent).toEqual([1, 2, 1]);
  });

  it('deadband compares with the last PUBLISHED value, so slow drift is reported', () => {
    const { sent, rbe } = setup();
    for (const v of [100, 104, 108, 112, 113]) rbe.offer('k', pt(v), { deadband: 10 });
    expect(sent).toEqual([100, 112]);
  });

  it('a quality change is sent at once, even inside the deadband and the interval', () => {
    const { sent, rbe } = setup();
    rbe.offer('k', pt(100), { deadband: 10, minIntervalMs: 1000 });
    expect(rbe.offer('k', pt(100, quality('timeout')), { deadband: 10, minIntervalMs: 1000 })).toBe('sent');
    expect(sent).toEqual([100, 100]);
  });

  it('minInterval holds back the latest value and sends it when the interval ends', () => {
    const { clock, sent, rbe } = setup();
    const rule = { minIntervalMs: 1000 };
    rbe.offer('k', pt(1), rule);
    clock.advance(100);
    expect(rbe.offer('k', pt(2), rule)).toBe('deferred');
    expect(rbe.offer('k', pt(3), rule)).toBe('deferred');
    expect(sent).toEqual([1]);
    expect(rbe.pendingCount()).toBe(1);
    clock.advance(899);
    expect(sent).toEqual([1]);
    clock.advance(1);
    expect(sent).toEqual([1, 3]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a held-back value is cancelled when the newest reading returns to the published value', () => {
    const { clock, sent, rbe } = setup();
    const rule = { minIntervalMs: 1000 };
    rbe.offer('k', pt(1), rule);
    rbe.offer('k', pt(2), rule);
    expect(rbe.offer('k', pt(1), rule)).toBe('suppressed');
    clock.advance(2000);
    expect(sent).toEqual([1]);
  });

  it('maxInterval republishes an unchanged value (heartbeat)', () => {
    const { clock, sent, rbe } = setup();
    const rule = { maxIntervalMs: 60000 };
    rbe.offer('k', pt(5), rule);
    clock.advance(30000);
    expect(rbe.offer('k', pt(5), rule)).toBe('suppressed');
    clock.advance(30000);
    expect(rbe.offer('k', pt(5), rule)).toBe('sent');
    expect(sent).toEqual([5, 5]);
  });

  it('keys are independent and clear() discards held values and timers', () => {
    const { clock, sent, rbe } = setup();
    rbe.offer('a', pt(1), { minIntervalMs: 1000 });
    rbe.offer('b', pt(1), { minIntervalMs: 1000 });
    rbe.offer('a', pt(2), { minIntervalMs: 1000 });
    expect(rbe.clear()).toBe(1);
    clock.advance(5000);
    expect(sent).toEqual([1, 1]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
