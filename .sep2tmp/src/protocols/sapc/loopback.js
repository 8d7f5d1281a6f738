"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createLinePair = createLinePair;
function createLinePair(o) {
    const listeners = { a: [], b: [] };
    const busyUntil = { 'a>b': 0, 'b>a': 0 };
    const send = (dir, text) => {
        const out = o.fault ? o.fault(dir, text) : text;
        if (out === null)
            return;
        const now = o.clock.monotonic();
        const txMs = o.baud ? (out.length * 10 * 1000) / o.baud : 0;
        const start = Math.max(now, busyUntil[dir]);
        busyUntil[dir] = start + txMs;
        const to = dir === 'a>b' ? 'b' : 'a';
        o.clock.setTimeout(() => {
            for (const fn of listeners[to])
                fn(out);
        }, busyUntil[dir] - now);
    };
    return {
        a: { write: (t) => send('a>b', t), onData: (fn) => listeners.a.push(fn) },
        b: { write: (t) => send('b>a', t), onData: (fn) => listeners.b.push(fn) },
    };
}
//# sourceMappingURL=loopback.js.map