"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Emitter = void 0;
/** A tiny typed event emitter (listeners never throw into the stack). */
class Emitter {
    listeners = new Map();
    on(event, fn) {
        const arr = this.listeners.get(event) ?? [];
        arr.push(fn);
        this.listeners.set(event, arr);
        return () => this.listeners.set(event, (this.listeners.get(event) ?? []).filter((f) => f !== fn));
    }
    emit(event, v) {
        for (const fn of this.listeners.get(event) ?? []) {
            try {
                fn(v);
            }
            catch {
                // a faulty listener must not break the protocol state machine
            }
        }
    }
}
exports.Emitter = Emitter;
//# sourceMappingURL=emitter.js.map