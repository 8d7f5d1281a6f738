"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TypedEmitter = void 0;
/** A minimal typed event emitter (listener errors are isolated so one bad listener cannot stop the bus). */
class TypedEmitter {
    listeners = new Map();
    on(event, fn) {
        const l = this.listeners.get(event);
        if (l)
            l.push(fn);
        else
            this.listeners.set(event, [fn]);
        return this;
    }
    off(event, fn) {
        const l = this.listeners.get(event);
        if (l) {
            const i = l.indexOf(fn);
            if (i >= 0)
                l.splice(i, 1);
        }
        return this;
    }
    once(event, fn) {
        const wrap = ((...args) => {
            this.off(event, wrap);
            fn(...args);
        });
        return this.on(event, wrap);
    }
    listenerCount(event) {
        return this.listeners.get(event)?.length ?? 0;
    }
    emit(event, ...args) {
        const l = this.listeners.get(event);
        if (!l)
            return;
        for (const fn of [...l]) {
            try {
                fn(...args);
            }
            catch (e) {
                this.listenerError(e, String(event));
            }
        }
    }
    /** Override to log; by default a throwing listener is reported on stderr and otherwise ignored. */
    listenerError(e, event) {
        process.stderr.write(`gridbridge modbus: listener for "${event}" threw: ${e instanceof Error ? e.message : String(e)}\n`);
    }
}
exports.TypedEmitter = TypedEmitter;
//# sourceMappingURL=emitter.js.map