/**
 * Forwarder: drains a StoreQueue into an upstream, in order, at most `maxInflight` unconfirmed at once and at most
 * `ratePerS` items per second (replay of a backlog faster than real time, but bounded so the upstream is not
 * flooded). Items carry their original timestamps (the producer stored them), so a replay is a replay, not new data.
 *
 * `send(value)` resolves `true` when the upstream confirmed the item (it is then removed from the store), `false` when
 * the upstream refused it for good (counted in `refused`, removed, reported); a rejection means "not delivered, try
 * again": everything unconfirmed is handed out again after `retryMs`. `online(false)` (link lost) does the same at once;
 * `online(true)` starts draining.
 */
import type { Clock, TimerHandle } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { QueueEntry, StoreQueue } from './queue.js';

export interface ForwarderOptions<T> {
  clock: Clock;
  send(value: T): Promise<boolean>;
  /** Unconfirmed items on the wire at once (default 100). */
  maxInflight?: number;
  /** Items per second at most (default 5000; 0 = no limit). */
  ratePerS?: number;
  /** Wait before handing items out again after a failed send (default 1000 ms). */
  retryMs?: number;
  warn?(message: string): void;
}

export class Forwarder<T> {
  private up = false;
  private stopped = false;
  private gen = 0;
  private inflight = 0;
  private tokens: number;
  private lastRefill: number;
  private timer: TimerHandle | undefined;
  private pumping = false;
  private readonly maxInflight: number;
  private readonly rate: number;
  private readonly burst: number;
  private readonly retryMs: number;
  /** Items the upstream refused for good (removed from the store). */
  refused = 0;
  /** Sends that failed and were retried. */
  retries = 0;

  constructor(
    readonly queue: StoreQueue<T>,
    private readonly opts: ForwarderOptions<T>,
  ) {
    this.maxInflight = opts.maxInflight ?? 100;
    this.rate = opts.ratePerS ?? 5000;
    this.burst = this.rate > 0 ? Math.max(1, Math.min(this.maxInflight, Math.ceil(this.rate / 10))) : Infinity;
    this.retryMs = opts.retryMs ?? 1000;
    this.tokens = this.burst;
    this.lastRefill = opts.clock.monotonic();
    queue.onAppend = () => this.pump();
  }

  get inFlight(): number {
    return this.inflight;
  }

  /** The upstream link is up (drain) or down (everything unconfirmed is handed out again when it is back). */
  online(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    if (!up) this.reset();
    else this.pump();
  }

  stop(): void {
    this.stopped = true;
    this.up = false;
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.onAppend = undefined;
  }

  /** Send what can be sent now. */
  pump(): void {
    if (this.pumping || !this.up || this.stopped || this.timer !== undefined) return;
    this.pumping = true;
    try {
      while (this.up && this.inflight < this.maxInflight && this.queue.pending) {
        const n = Math.min(this.maxInflight - this.inflight, this.available());
        if (n < 1) {
          const wait = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
          this.timer = this.opts.clock.setTimeout(() => {
            this.timer = undefined;
            this.pump();
          }, wait);
          break;
        }
        const batch = this.queue.take(n);
        if (batch.length === 0) break;
        this.tokens -= batch.length;
        for (const e of batch) this.sendOne(e);
      }
    } finally {
      this.pumping = false;
    }
  }

  private available(): number {
    if (this.rate <= 0) return Infinity;
    const now = this.opts.clock.monotonic();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) * this.rate) / 1000);
    this.lastRefill = now;
    return Math.floor(this.tokens);
  }

  private sendOne(e: QueueEntry<T>): void {
    const gen = this.gen;
    this.inflight++;
    let p: Promise<boolean>;
    try {
      p = this.opts.send(e.value);
    } catch (err) {
      p = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    p.then(
      (ok) => {
        if (!ok) {
          this.refused++;
          this.opts.warn?.(`${this.queue.name}: upstream refused an item; removed from the store`);
        }
        this.queue.ack(e); // confirmed (or refused for good): never sent again, even from an older connection
        if (gen !== this.gen) return;
        this.inflight--;
        this.pump();
      },
      (err: unknown) => {
        if (gen !== this.gen) return;
        this.retries++;
        this.opts.warn?.(`${this.queue.name}: send failed (${errorMessage(err)}); retrying in ${this.retryMs} ms`);
        this.reset();
        this.timer = this.opts.clock.setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, this.retryMs);
      },
    );
  }

  /** Forget what is in flight (its confirmations may still arrive and are honoured) and start over from the oldest. */
  private reset(): void {
    this.gen++;
    this.inflight = 0;
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.rewind();
  }
}
