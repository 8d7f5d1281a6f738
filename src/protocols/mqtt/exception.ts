/**
 * Report by exception, per point: deadband (numeric change since the last PUBLISHED value, so slow drift is still
 * reported), minimum interval (throttle; the latest value held back is sent when the interval ends, so the last word
 * is never lost), maximum interval (heartbeat: an unchanged value is sent again when a new reading arrives after it).
 * A change of quality is always sent at once. All timers go through the injected clock (monotonic).
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Point } from '../../core/point.js';

export interface ExceptionRule {
  minIntervalMs?: number | undefined;
  deadband?: number | undefined;
  maxIntervalMs?: number | undefined;
}

export type Offer = 'sent' | 'suppressed' | 'deferred';

interface State {
  last: Point;
  lastSentAt: number;
  pending?: Point;
  timer?: TimerHandle;
}

export class ReportByException {
  private states = new Map<string, State>();

  constructor(
    private readonly clock: Clock,
    private readonly send: (p: Point) => void,
  ) {}

  offer(key: string, p: Point, rule: ExceptionRule): Offer {
    const s = this.states.get(key);
    const now = this.clock.monotonic();
    if (!s) {
      this.states.set(key, { last: p, lastSentAt: now });
      this.send(p);
      return 'sent';
    }
    const qualityChanged = s.last.quality.code !== p.quality.code;
    const due = rule.maxIntervalMs !== undefined && now - s.lastSentAt >= rule.maxIntervalMs;
    if (!qualityChanged && !due && !changed(s.last.value, p.value, rule.deadband)) {
      // The newest reading is within the deadband of what subscribers hold: a held-back value is obsolete.
      this.cancel(s);
      return 'suppressed';
    }
    if (!qualityChanged && rule.minIntervalMs !== undefined && now - s.lastSentAt < rule.minIntervalMs) {
      s.pending = p;
      s.timer ??= this.clock.setTimeout(() => this.flush(key), s.lastSentAt + rule.minIntervalMs - now);
      return 'deferred';
    }
    this.cancel(s);
    s.last = p;
    s.lastSentAt = now;
    this.send(p);
    return 'sent';
  }

  /** Drop all state and pending timers (on stop). Returns how many held-back values were discarded. */
  clear(): number {
    let n = 0;
    for (const s of this.states.values()) {
      if (s.pending) n++;
      this.cancel(s);
    }
    this.states.clear();
    return n;
  }

  pendingCount(): number {
    let n = 0;
    for (const s of this.states.values()) if (s.pending) n++;
    return n;
  }

  private flush(key: string): void {
    const s = this.states.get(key);
    if (!s) return;
    s.timer = undefined;
    const p = s.pending;
    if (!p) return;
    s.pending = undefined;
    s.last = p;
    s.lastSentAt = this.clock.monotonic();
    this.send(p);
  }

  private cancel(s: State): void {
    if (s.timer !== undefined) this.clock.clearTimeout(s.timer);
    s.timer = undefined;
    s.pending = undefined;
  }
}

function changed(a: Point['value'], b: Point['value'], deadband: number | undefined): boolean {
  if (typeof a === 'number' && typeof b === 'number' && deadband !== undefined && deadband > 0) {
    return Math.abs(a - b) >= deadband;
  }
  return a !== b;
}
