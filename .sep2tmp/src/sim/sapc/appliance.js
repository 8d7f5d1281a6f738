"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SapcApplianceSim = void 0;
/**
 * Simulated SAPC appliance (e.g. an EV charger or battery behind a SAPC): the receiving end of an SSP-1 line,
 * wired to an Arbiter, that applies the effective level to its simulated power after `applyDelayMs` (its control
 * loop) and records when each limit took effect at the device.
 */
const node_events_1 = require("node:events");
const arbiter_js_1 = require("../../core/arbitration/arbiter.js");
const session_js_1 = require("../../protocols/sapc/session.js");
const receiver_js_1 = require("../../protocols/sapc/receiver.js");
class SapcApplianceSim extends node_events_1.EventEmitter {
    o;
    arbiter;
    session;
    receiver;
    applied = [];
    levels = new Map();
    clock;
    timers = new Set();
    ownsArbiter;
    constructor(o) {
        super();
        this.o = o;
        this.clock = o.clock;
        this.ownsArbiter = !o.arbiter;
        this.arbiter = o.arbiter ?? new arbiter_js_1.Arbiter({ clock: o.clock });
        const slots = o.slots ?? [{ slot: 1, direction: 'import', device: 'sapc1' }];
        this.receiver = new receiver_js_1.SapcReceiver(this.arbiter, slots, o.clock, (d) => this.emit('decision', d));
        this.session = new session_js_1.SapcSession({ ...o.session, clock: o.clock, write: o.write, handler: this.receiver });
        const keys = new Set(slots.map((s) => (0, arbiter_js_1.targetKey)({ device: s.device, name: s.point ?? 'SAPCLevel' })));
        for (const s of slots) {
            const e = this.arbiter.effective({ device: s.device, name: s.point ?? 'SAPCLevel' });
            this.levels.set(s.device, typeof e.value === 'number' ? e.value : (s.default ?? 100));
        }
        this.arbiter.on('change', (e) => {
            if (keys.has((0, arbiter_js_1.targetKey)(e.target)))
                this.schedule(e);
        });
    }
    receive(chunk) {
        this.session.receive(chunk);
    }
    level(device = this.levels.keys().next().value ?? 'sapc1') {
        return this.levels.get(device);
    }
    close() {
        for (const t of this.timers)
            this.clock.clearTimeout(t);
        this.timers.clear();
        this.session.close();
        if (this.ownsArbiter)
            this.arbiter.close();
    }
    schedule(e) {
        const apply = () => {
            const level = typeof e.value === 'number' ? e.value : 100;
            this.levels.set(e.target.device, level);
            const rec = {
                mono: this.clock.monotonic(),
                at: this.clock.now(),
                device: e.target.device,
                level,
                watts: Math.round(((this.o.ratedW ?? 7400) * level) / 100),
                basis: e.basis,
                governing: e.governing,
            };
            this.applied.push(rec);
            if (this.applied.length > 1000)
                this.applied.shift();
            this.emit('applied', rec);
        };
        if (!this.o.applyDelayMs)
            return apply();
        const t = this.clock.setTimeout(() => {
            this.timers.delete(t);
            apply();
        }, this.o.applyDelayMs);
        this.timers.add(t);
    }
}
exports.SapcApplianceSim = SapcApplianceSim;
//# sourceMappingURL=appliance.js.map