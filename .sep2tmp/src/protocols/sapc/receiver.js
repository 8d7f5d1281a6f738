"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SlotDispatcher = exports.SapcReceiver = void 0;
exports.sourceOf = sourceOf;
class SapcReceiver {
    arbiter;
    clock;
    onDecision;
    decisions = [];
    slots;
    constructor(arbiter, slots, clock, onDecision) {
        this.arbiter = arbiter;
        this.clock = clock;
        this.onDecision = onDecision;
        this.slots = slots.map((s) => ({
            slot: s.slot,
            direction: s.direction,
            device: s.device,
            point: s.point ?? 'SAPCLevel',
            default: s.default ?? 100,
            sources: s.sources ?? ['load_controller', 'supplier', 'owner', 'aggregator'],
            as: s.as ?? {},
        }));
        for (const s of this.slots)
            arbiter.configureTarget({ device: s.device, name: s.point, min: 0, max: 100, default: s.default });
    }
    target(slot, direction) {
        const s = this.slots.find((x) => x.slot === slot && (direction === undefined || x.direction === direction));
        return s && { device: s.device, name: s.point };
    }
    onCommand(c) {
        const s = this.slots.find((x) => x.slot === c.slot && x.direction === c.direction);
        let answer;
        if (!s) {
            answer = { ok: false, reason: 'SLOT', field: 'slot', text: `slot ${c.slot} ${c.direction} not configured` };
            this.log({ command: c, answer });
            return answer;
        }
        if (!s.sources.includes(c.source)) {
            answer = { ok: false, reason: 'REJECTED', field: 'src', text: `source ${c.source} not accepted on slot ${c.slot}` };
            this.log({ command: c, answer });
            return answer;
        }
        const kind = s.as[c.source] ?? (c.source === 'load_controller' ? 'cap' : 'setpoint');
        const intent = {
            id: c.eventId,
            source: sourceOf(c.source, c.slot),
            sourceClass: c.source,
            target: { device: s.device, name: s.point },
            validFrom: c.validFrom ?? Math.min(c.timestamp, this.clock.now()),
            validTo: c.validTo,
            randomised: c.randomised,
        };
        if (kind === 'cap')
            intent.cap = c.level;
        else
            intent.value = c.level;
        const result = this.arbiter.submit(intent, { randomDelayMaxMs: c.randomised ? 0 : c.randomDelayS * 1000 });
        const duplicate = result.duplicate === true;
        answer =
            result.outcome === 'rejected'
                ? { ok: false, reason: 'REJECTED', text: (result.reason ?? 'rejected').slice(0, 64) }
                : { ok: true, state: duplicate ? 'duplicate' : result.scheduled ? 'scheduled' : 'applied' };
        this.log({ command: c, intent, result, answer });
        return answer;
    }
    onCancel(eventId, source, slot) {
        let any = false;
        for (const s of this.slots)
            if (slot === undefined || s.slot === slot)
                any = !!this.arbiter.cancel(eventId, sourceOf(source, s.slot)) || any;
        return any ? { ok: true } : { ok: false, reason: 'NOT_FOUND', field: 'evt', text: `no event ${eventId} from ${source}` };
    }
    onStatusRequest(slot) {
        const s = slot === undefined ? this.slots[0] : this.slots.find((x) => x.slot === slot);
        if (!s)
            return { ok: false, reason: 'SLOT', field: 'slot', text: `slot ${slot} not configured` };
        const e = this.arbiter.effective({ device: s.device, name: s.point });
        const level = typeof e.value === 'number' ? Math.round(Math.min(100, Math.max(0, e.value))) : s.default;
        const cls = e.sourceClass;
        const out = { slot: s.slot, direction: s.direction, level, source: cls === 'load_controller' || cls === 'supplier' || cls === 'owner' || cls === 'aggregator' ? cls : 'local' };
        const id = e.governing.at(-1);
        if (id && /^[A-Za-z0-9._:-]{1,32}$/.test(id))
            out.eventId = id;
        if (e.nextChange !== undefined && e.governing.length)
            out.validTo = e.nextChange;
        return out;
    }
    log(d) {
        this.decisions.push(d);
        if (this.decisions.length > 1000)
            this.decisions.shift();
        this.onDecision?.(d);
    }
}
exports.SapcReceiver = SapcReceiver;
function sourceOf(source, slot) {
    return `sapc:slot${slot}:${source}`;
}
/** Routes one session's requests to several receivers by slot (one Node-RED sapc-in node per slot on a port). */
class SlotDispatcher {
    receivers = new Set();
    add(r) {
        this.receivers.add(r);
    }
    remove(r) {
        this.receivers.delete(r);
    }
    onCommand(c) {
        for (const r of this.receivers)
            if (r.target(c.slot, c.direction))
                return r.onCommand(c);
        return { ok: false, reason: 'SLOT', field: 'slot', text: `slot ${c.slot} ${c.direction} not configured` };
    }
    onCancel(eventId, source, slot) {
        let found;
        for (const r of this.receivers) {
            if (slot !== undefined && !r.target(slot))
                continue;
            const a = r.onCancel(eventId, source, slot);
            if (a.ok)
                found = a;
        }
        return found ?? { ok: false, reason: 'NOT_FOUND', field: 'evt', text: `no event ${eventId} from ${source}` };
    }
    onStatusRequest(slot) {
        for (const r of this.receivers)
            if (slot === undefined || r.target(slot))
                return r.onStatusRequest(slot);
        return { ok: false, reason: 'SLOT', field: 'slot', text: `slot ${slot} not configured` };
    }
}
exports.SlotDispatcher = SlotDispatcher;
//# sourceMappingURL=receiver.js.map