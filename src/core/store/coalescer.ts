/**
 * Groups items that arrive close together into one batch (one store commit instead of one per arrival): the first
 * item after a quiet window is flushed at once, later ones at the end of the window. `flush()` forces it.
 */
import type { Clock, TimerHandle } from '../clock.js';

export class Coalescer<T> {
  private pending: T[] = [];
  private timer: TimerHandle | undefined;
  private last = -Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
    private readonly sink: (items: T[]) => void,
  ) {}

  push(items: readonly T[]): void {
    for (const i of items) this.pending.push(i);
    if (this.timer !== undefined) return;
    const wait = this.last + this.windowMs - this.clock.monotonic();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  flush(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.last = this.clock.monotonic();
    const items = this.pending;
    if (items.length === 0) return;
    this.pending = [];
    this.sink(items);
  }
}
