"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.FakeClock = exports.systemClock = void 0;
exports.systemClock = {
    now: () => Date.now(),
    monotonic: () => performance.now(),
    setTimeout: (fn, ms) => {
        const t = setTimeout(fn, ms);
        // Never keep a process alive just for a protocol timer.
        if (typeof t === 'object' && t && 'unref' in t)
            t.unref();
        return t;
    },
    clearTimeout: (h) => {
        if (h !== undefined)
            clearTimeout(h);
    },
};
/** A manually advanced clock for deterministic tests of schedulers and link layers. */
class FakeClock {
    wall;
    mono = 0;
    seq = 0;
    timers = new Map();
    constructor(startWall = Date.UTC(2026, 0, 1)) {
        this.wall = startWall;
    }
    now() {
        return this.wall;
    }
    monotonic() {
        return this.mono;
    }
    setTimeout(fn, ms) {
        const id = ++this.seq;
        this.timers.set(id, { at: this.mono + Math.max(0, ms), fn });
        return id;
    }
    clearTimeout(handle) {
        if (handle !== undefined)
            this.timers.delete(handle);
    }
    /** Jump the wall clock only (monotonic time is unaffected), as an NTP step would. */
    jumpWall(ms) {
        this.wall += ms;
    }
    /** Advance both clocks, firing due timers in time order. */
    advance(ms) {
        const target = this.mono + ms;
        for (;;) {
            let next;
            for (const e of this.timers)
                if (e[1].at <= target && (!next || e[1].at < next[1].at))
                    next = e;
            if (!next)
                break;
            this.timers.delete(next[0]);
            this.wall += next[1].at - this.mono;
            this.mono = next[1].at;
            next[1].fn();
        }
        this.wall += target - this.mono;
        this.mono = target;
    }
    pendingTimers() {
        return this.timers.size;
    }
}
exports.FakeClock = FakeClock;
//# sourceMappingURL=clock.js.map