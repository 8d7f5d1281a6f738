/**
 * Injected time. Protocol timers use `monotonic()` (never jumps with wall-clock changes); timestamps use `now()`.
 * Tests pass a FakeClock or use vitest fake timers with `systemClock` (it calls the globals at call time).
 */
export type TimerHandle = { readonly __timer: unique symbol } | ReturnType<typeof setTimeout>;

export interface Clock {
  /** Wall-clock epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds since an arbitrary origin. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Never keep a process alive just for a protocol timer.
    if (typeof t === 'object' && t && 'unref' in t) (t as NodeJS.Timeout).unref();
    return t;
  },
  clearTimeout: (h) => {
    if (h !== undefined) clearTimeout(h as ReturnType<typeof setTimeout>);
  },
};

/** A manually advanced clock for deterministic tests of schedulers and link layers. */
export class FakeClock implements Clock {
  private wall: number;
  private mono = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();

  constructor(startWall = Date.UTC(2026, 0, 1)) {
    this.wall = startWall;
  }
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { at: this.mono + Math.max(0, ms), fn });
    return id as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.timers.delete(handle as unknown as number);
  }
  /** Jump the wall clock only (monotonic time is unaffected), as an NTP step would. */
  jumpWall(ms: number): void {
    this.wall += ms;
  }
  /** Advance both clocks, firing due timers in time order. */
  advance(ms: number): void {
    const target = this.mono + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= target && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.wall += next[1].at - this.mono;
      this.mono = next[1].at;
      next[1].fn();
    }
    this.wall += target - this.mono;
    this.mono = target;
  }
  pendingTimers(): number {
    return this.timers.size;
  }
}
