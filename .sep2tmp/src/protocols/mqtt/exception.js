"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ReportByException = void 0;
class ReportByException {
    clock;
    send;
    states = new Map();
    constructor(clock, send) {
        this.clock = clock;
        this.send = send;
    }
    offer(key, p, rule) {
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
    clear() {
        let n = 0;
        for (const s of this.states.values()) {
            if (s.pending)
                n++;
            this.cancel(s);
        }
        this.states.clear();
        return n;
    }
    pendingCount() {
        let n = 0;
        for (const s of this.states.values())
            if (s.pending)
                n++;
        return n;
    }
    flush(key) {
        const s = this.states.get(key);
        if (!s)
            return;
        s.timer = undefined;
        const p = s.pending;
        if (!p)
            return;
        s.pending = undefined;
        s.last = p;
        s.lastSentAt = this.clock.monotonic();
        this.send(p);
    }
    cancel(s) {
        if (s.timer !== undefined)
            this.clock.clearTimeout(s.timer);
        s.timer = undefined;
        s.pending = undefined;
    }
}
exports.ReportByException = ReportByException;
function changed(a, b, deadband) {
    if (typeof a === 'number' && typeof b === 'number' && deadband !== undefined && deadband > 0) {
        return Math.abs(a - b) >= deadband;
    }
    return a !== b;
}
//# sourceMappingURL=exception.js.map