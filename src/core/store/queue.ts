/**
 * Durable store-and-forward queue: one per upstream. Items (e.g. MQTT messages, readings, report rows) are appended
 * in batches, handed out in order, and removed only when the upstream confirmed them (at least once).
 *
 * - `append(items)` returns once the batch is committed to the store (one LMDB write transaction, synchronous): an
 *   item is acknowledged to its producer only then, so a process killed at any moment (`kill -9`) loses nothing it
 *   acknowledged. See docs/store.md for what a power cut adds.
 * - `take(n)` hands out the oldest items not yet handed out; `ack(entry)` marks one delivered (in any order); a batch
 *   is removed when all its items are delivered; `rewind()` (connection lost) hands the unconfirmed ones out again.
 * - Disk quota `maxBytes` (pages the queue occupies): beyond it the OLDEST batches are dropped (drop-oldest) and
 *   their undelivered items counted in `evicted`, never silently.
 * - Counters: stored, delivered, evicted (since open) and depth/batches/bytes (now, survive a restart).
 *
 * The backend is LMDB (src/core/store/lmdb.ts) or memory (same contract, nothing survives the process; for sites
 * without a state directory and for tests).
 */

export interface QueueEntry<T> {
  /** Batch sequence number (increasing, never reused within one store). */
  readonly seq: number;
  /** Position in its batch. */
  readonly index: number;
  readonly value: T;
}

export interface StoreCounters {
  /** Items appended since the queue was opened. */
  stored: number;
  /** Items confirmed by the upstream (and so removed) since open. */
  delivered: number;
  /** Items dropped undelivered because the quota was exceeded (oldest first), since open. */
  evicted: number;
  /** Items waiting (not yet confirmed), including those handed out. */
  depth: number;
  /** Batches waiting. */
  batches: number;
  /** Bytes the queue occupies in the store now (LMDB pages; memory: encoded size estimate). */
  bytes: number;
  maxBytes: number;
  durable: boolean;
}

/** Storage of batches keyed by sequence number; implementations: LMDB and memory. */
export interface BatchBackend<T> {
  readonly durable: boolean;
  /** Every batch as (seq, item count), oldest first (called once at open). */
  index(): Iterable<{ seq: number; n: number }>;
  get(seq: number, n: number): readonly T[] | undefined;
  /**
   * In one committed transaction: store the batch, then call `evict()` which may remove batches through
   * `remove(seq, n)` (used for the quota, so the new batch and the evictions land together).
   */
  write(seq: number, items: readonly T[], evict: (remove: (seq: number, n: number) => void) => void): void;
  /** Remove a delivered batch (need not be synchronous: at least once allows a redelivery after a crash). */
  removeDelivered(seq: number, n: number): void;
  /** Bytes the queue occupies now. */
  usedBytes(): number;
  close(): void;
}

interface Batch<T> {
  seq: number;
  n: number;
  items: readonly T[];
  delivered: Uint8Array;
  deliveredCount: number;
}

export class StoreQueue<T> {
  private readonly order: Array<{ seq: number; n: number }> = [];
  /** Position of the oldest batch in `order` (the array is compacted from time to time). */
  private head = 0;
  /** Batches with items handed out (loaded from the backend). */
  private readonly open = new Map<number, Batch<T>>();
  /** Next item to hand out: index into `order`, and item index in that batch. */
  private cursor = { pos: 0, index: 0 };
  private nextSeq = 1;
  private depth = 0;
  private closed = false;
  private readonly counters = { stored: 0, delivered: 0, evicted: 0 };
  /** Called after items were appended (a forwarder waiting for work). */
  onAppend: (() => void) | undefined;
  /** Called when the quota dropped undelivered items (how many), so an operator hears of it. */
  onEvict: ((items: number) => void) | undefined;

  constructor(
    readonly name: string,
    private readonly backend: BatchBackend<T>,
    readonly maxBytes: number,
  ) {
    if (!(maxBytes > 0)) throw new RangeError(`store ${name}: maxBytes must be positive, got ${maxBytes}`);
    for (const b of backend.index()) {
      this.order.push(b);
      this.depth += b.n;
      this.nextSeq = Math.max(this.nextSeq, b.seq + 1);
    }
  }

  get durable(): boolean {
    return this.backend.durable;
  }

  /** Items waiting to be confirmed. */
  get size(): number {
    return this.depth;
  }

  /** Items not handed out yet (a forwarder has work). */
  get pending(): boolean {
    return this.cursor.pos < this.order.length;
  }

  /**
   * Store a batch durably (committed before this returns). Returns the batch's sequence number, or undefined for an
   * empty batch. Over the quota, the oldest batches are dropped in the same transaction and counted.
   */
  append(items: readonly T[]): number | undefined {
    if (this.closed) throw new Error(`store ${this.name}: closed`);
    if (items.length === 0) return undefined;
    const seq = this.nextSeq++;
    const evicted: Array<{ seq: number; n: number }> = [];
    this.backend.write(seq, items, (remove) => {
      // Quota: drop whole batches, oldest first (never the one just written).
      let used = this.backend.usedBytes();
      if (used <= this.maxBytes) return;
      const batches = this.order.length - this.head + 1;
      const perBatch = used / batches;
      let pos = this.head;
      // Evict down to 95 % of the quota so a full store does not evict on every append.
      while (used > this.maxBytes * 0.95 && pos < this.order.length) {
        const b = this.order[pos++]!;
        remove(b.seq, b.n);
        evicted.push(b);
        used -= perBatch;
      }
    });
    const before = this.counters.evicted;
    for (const b of evicted) this.dropOldest(b);
    if (this.counters.evicted > before) this.onEvict?.(this.counters.evicted - before);
    this.order.push({ seq, n: items.length });
    this.depth += items.length;
    this.counters.stored += items.length;
    this.onAppend?.();
    return seq;
  }

  /** Hand out up to `max` items, oldest first, that are neither handed out nor delivered. */
  take(max: number): QueueEntry<T>[] {
    const out: QueueEntry<T>[] = [];
    while (out.length < max && this.cursor.pos < this.order.length) {
      const ref = this.order[this.cursor.pos]!;
      if (ref.n === 0) {
        this.cursor = { pos: this.cursor.pos + 1, index: 0 }; // delivered or evicted
        continue;
      }
      const b = this.load(ref);
      if (!b) {
        // Gone from the backend (should not happen): count as evicted rather than stall.
        this.dropOldestAt(this.cursor.pos);
        continue;
      }
      while (out.length < max && this.cursor.index < b.n) {
        const i = this.cursor.index++;
        if (!b.delivered[i]) out.push({ seq: b.seq, index: i, value: b.items[i]! });
      }
      if (this.cursor.index >= b.n) this.cursor = { pos: this.cursor.pos + 1, index: 0 };
    }
    return out;
  }

  /** The upstream confirmed this item; idempotent. A batch whose items are all confirmed is removed. */
  ack(e: Pick<QueueEntry<T>, 'seq' | 'index'>): void {
    if (this.closed) return; // a late confirmation after close: delivered again after the restart (at least once)
    const b = this.open.get(e.seq);
    if (!b || b.delivered[e.index]) return; // evicted meanwhile, or a duplicate confirmation
    b.delivered[e.index] = 1;
    b.deliveredCount++;
    this.depth--;
    this.counters.delivered++;
    if (b.deliveredCount === b.n) this.removeBatch(b);
  }

  /** Everything handed out but not confirmed is handed out again, in order (after a lost connection). */
  rewind(): void {
    this.cursor = { pos: this.head, index: 0 };
  }

  stats(): StoreCounters {
    return {
      ...this.counters,
      depth: this.depth,
      batches: this.order.length - this.head,
      bytes: this.backend.usedBytes(),
      maxBytes: this.maxBytes,
      durable: this.backend.durable,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.backend.close();
  }

  private load(ref: { seq: number; n: number }): Batch<T> | undefined {
    let b = this.open.get(ref.seq);
    if (b) return b;
    const items = this.backend.get(ref.seq, ref.n);
    if (!items) return undefined;
    b = { seq: ref.seq, n: ref.n, items, delivered: new Uint8Array(ref.n), deliveredCount: 0 };
    this.open.set(ref.seq, b);
    return b;
  }

  private removeBatch(b: Batch<T>): void {
    this.open.delete(b.seq);
    this.backend.removeDelivered(b.seq, b.n);
    // Batches are confirmed roughly in order: drop the fully delivered ones from the front of `order`.
    const pos = this.indexOf(b.seq);
    if (pos < 0) return;
    if (pos === this.head) {
      this.head++;
      while (this.head < this.order.length && this.order[this.head]!.n === 0) this.head++;
    } else {
      this.order[pos] = { seq: b.seq, n: 0 }; // tombstone until it reaches the front
    }
    if (this.cursor.pos < this.head) this.cursor = { pos: this.head, index: 0 };
    this.compact();
  }

  /** Quota eviction of the oldest batch. */
  private dropOldest(ref: { seq: number; n: number }): void {
    const pos = this.indexOf(ref.seq);
    if (pos >= 0) this.dropOldestAt(pos, false);
  }

  private dropOldestAt(pos: number, removeFromBackend = true): void {
    const ref = this.order[pos]!;
    const b = this.open.get(ref.seq);
    const lost = b ? b.n - b.deliveredCount : ref.n;
    this.open.delete(ref.seq);
    if (removeFromBackend) this.backend.removeDelivered(ref.seq, ref.n);
    this.depth -= lost;
    this.counters.evicted += lost;
    this.order[pos] = { seq: ref.seq, n: 0 };
    while (this.head < this.order.length && this.order[this.head]!.n === 0) this.head++;
    if (this.cursor.pos === pos) this.cursor = { pos: pos + 1, index: 0 };
    if (this.cursor.pos < this.head) this.cursor = { pos: this.head, index: 0 };
    this.compact();
  }

  private indexOf(seq: number): number {
    // `order` is sorted by seq: binary search between head and end.
    let lo = this.head;
    let hi = this.order.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.order[mid]!.seq;
      if (s === seq) return mid;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private compact(): void {
    if (this.head < 1024 || this.head * 2 < this.order.length) return;
    this.order.splice(0, this.head);
    this.cursor = { pos: this.cursor.pos - this.head, index: this.cursor.index };
    this.head = 0;
  }
}

/** Rough encoded size of a value (memory backend quota). */
function approxBytes(v: unknown): number {
  if (typeof v === 'string') return v.length + 2;
  if (typeof v === 'number' || typeof v === 'boolean' || v == null) return 9;
  return JSON.stringify(v)?.length ?? 9;
}

/** Memory backend: the same queue semantics without durability. */
export class MemoryBackend<T> implements BatchBackend<T> {
  readonly durable = false;
  private readonly batches = new Map<number, { items: readonly T[]; bytes: number }>();
  private used = 0;

  index(): Iterable<{ seq: number; n: number }> {
    return [...this.batches].map(([seq, b]) => ({ seq, n: b.items.length }));
  }
  get(seq: number): readonly T[] | undefined {
    return this.batches.get(seq)?.items;
  }
  write(seq: number, items: readonly T[], evict: (remove: (seq: number, n: number) => void) => void): void {
    const bytes = 16 + items.reduce((s, v) => s + approxBytes(v), 0);
    this.batches.set(seq, { items: [...items], bytes });
    this.used += bytes;
    evict((s) => this.removeDelivered(s));
  }
  removeDelivered(seq: number): void {
    const b = this.batches.get(seq);
    if (!b) return;
    this.batches.delete(seq);
    this.used -= b.bytes;
  }
  usedBytes(): number {
    return this.used;
  }
  close(): void {}
}

export function memoryQueue<T>(name: string, maxBytes = 64 * 1024 * 1024): StoreQueue<T> {
  return new StoreQueue<T>(name, new MemoryBackend<T>(), maxBytes);
}
