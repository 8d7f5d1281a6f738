"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.BoundedBuffer = void 0;
/**
 * A bounded FIFO for outgoing messages while the broker is unreachable (or the in-flight window is full).
 * Beyond `max` the OLDEST message is dropped and counted: never silent, never unbounded.
 * Ring buffer that grows by doubling up to `max`, so an idle upstream holds no big array.
 */
class BoundedBuffer {
    max;
    ring;
    head = 0;
    count = 0;
    /** Messages dropped because the buffer was full, since creation. */
    dropped = 0;
    constructor(max) {
        this.max = max;
        if (!Number.isInteger(max) || max < 1)
            throw new RangeError(`buffer size must be a positive integer, got ${max}`);
        this.ring = new Array(Math.min(max, 64));
    }
    get size() {
        return this.count;
    }
    /** Append; when full, the oldest message is dropped and returned. */
    push(item) {
        let dropped;
        if (this.count === this.max) {
            dropped = this.shift();
            this.dropped++;
        }
        else if (this.count === this.ring.length) {
            this.grow();
        }
        this.ring[(this.head + this.count) % this.ring.length] = item;
        this.count++;
        return dropped;
    }
    /**
     * Put a message back at the front (it is older than everything queued, e.g. an unacknowledged in-flight message
     * after a disconnect). When full, that message is itself the oldest, so it is the one dropped (and returned).
     */
    unshift(item) {
        if (this.count === this.max) {
            this.dropped++;
            return item;
        }
        if (this.count === this.ring.length)
            this.grow();
        this.head = (this.head - 1 + this.ring.length) % this.ring.length;
        this.ring[this.head] = item;
        this.count++;
        return undefined;
    }
    shift() {
        if (this.count === 0)
            return undefined;
        const item = this.ring[this.head];
        this.ring[this.head] = undefined;
        this.head = (this.head + 1) % this.ring.length;
        this.count--;
        return item;
    }
    peek() {
        return this.count === 0 ? undefined : this.ring[this.head];
    }
    clear() {
        const n = this.count;
        this.ring = new Array(Math.min(this.max, 64));
        this.head = 0;
        this.count = 0;
        return n;
    }
    *[Symbol.iterator]() {
        for (let i = 0; i < this.count; i++)
            yield this.ring[(this.head + i) % this.ring.length];
    }
    grow() {
        const next = new Array(Math.min(this.max, Math.max(1, this.ring.length * 2)));
        for (let i = 0; i < this.count; i++)
            next[i] = this.ring[(this.head + i) % this.ring.length];
        this.ring = next;
        this.head = 0;
    }
}
exports.BoundedBuffer = BoundedBuffer;
//# sourceMappingURL=buffer.js.map