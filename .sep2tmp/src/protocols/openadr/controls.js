"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ControlBook = void 0;
exports.impossibleTimes = impossibleTimes;
exports.fromOadrEvent = fromOadrEvent;
exports.bindingsFor = bindingsFor;
exports.intentsForEvent = intentsForEvent;
const MIN_TIME = Date.UTC(2000, 0, 1);
const MAX_TIME = Date.UTC(2200, 0, 1);
/** A reason when an event's times cannot be right (then the VEN answers 454 and applies nothing), else undefined. */
function impossibleTimes(e) {
    if (!Number.isFinite(e.start) || e.start < MIN_TIME || e.start > MAX_TIME)
        return `event start ${e.start} out of range`;
    if (!Number.isFinite(e.durationSec) || e.durationSec < 0)
        return `event duration ${e.durationSec} invalid`;
    for (const s of e.signals) {
        let sum = 0;
        for (const i of s.intervals) {
            if (!Number.isFinite(i.durationSec) || i.durationSec < 0)
                return `signal ${s.id} interval ${i.id}: duration ${i.durationSec} invalid`;
            if (!Number.isFinite(i.start) || i.start < MIN_TIME || i.start > MAX_TIME)
                return `signal ${s.id} interval ${i.id}: start out of range`;
            if (!Number.isFinite(i.value))
                return `signal ${s.id} interval ${i.id}: value not finite`;
            sum += i.durationSec;
        }
        if (e.durationSec > 0 && sum > e.durationSec + 1)
            return `signal ${s.id}: intervals last ${sum} s, longer than the event (${e.durationSec} s)`;
    }
    return undefined;
}
function fromOadrEvent(e, vtnID) {
    return {
        id: e.eventID,
        modification: e.modificationNumber,
        source: `openadr:${vtnID}/${e.eventID}`,
        cancelled: e.eventStatus === 'cancelled',
        test: e.testEvent !== undefined && e.testEvent.trim().toLowerCase() !== 'false',
        ...(e.priority !== undefined ? { priority: e.priority } : {}),
        start: e.dtstart,
        durationSec: e.durationSec,
        signals: e.signals.map((s) => {
            let t = e.dtstart;
            return {
                id: s.signalID,
                name: s.signalName,
                type: s.signalType,
                intervals: s.intervals.map((i) => {
                    const iv = { id: i.uid, start: t, durationSec: i.durationSec === 0 && s.intervals.length === 1 ? e.durationSec : i.durationSec, value: i.value };
                    t += iv.durationSec * 1000;
                    return iv;
                }),
            };
        }),
    };
}
function bindingsFor(sig, bindings) {
    return bindings.filter((b) => b.signal.toUpperCase() === sig.name.toUpperCase() && (b.signalType === undefined || b.signalType === sig.type));
}
function mapValue(b, v) {
    if (b.levels)
        return b.levels[String(v)];
    return v * b.scale + b.offset;
}
/** ControlIntents for an event (none for cancelled or test events). Open-ended intervals expire after maxOpenEndedSec. */
function intentsForEvent(e, bindings, policy, now) {
    const intents = [];
    const unsupported = [];
    if (e.cancelled || e.test)
        return { intents, unsupported };
    for (const s of e.signals) {
        const bs = bindingsFor(s, bindings);
        if (bs.length === 0) {
            unsupported.push(s.name);
            continue;
        }
        for (const b of bs) {
            for (const i of s.intervals) {
                const validFrom = i.start;
                const validTo = i.durationSec > 0 ? i.start + i.durationSec * 1000 : Math.max(i.start, now) + policy.maxOpenEndedSec * 1000;
                if (validTo <= now)
                    continue; // already over
                const v = mapValue(b, i.value);
                if (v === undefined || !Number.isFinite(v)) {
                    unsupported.push(`${s.name}=${i.value}`);
                    continue;
                }
                const intent = {
                    id: `${e.source}#${e.modification}/${s.id}/${i.id}/${b.device}/${b.point}`,
                    source: e.source,
                    sourceClass: policy.sourceClass,
                    target: { device: b.device, name: b.point },
                    validFrom,
                    validTo,
                };
                if (b.mode === 'cap')
                    intent.cap = v;
                else
                    intent.value = v;
                if (e.priority !== undefined)
                    intent.priority = e.priority;
                intents.push(intent);
            }
        }
    }
    return { intents, unsupported };
}
/** Intent bookkeeping per event: which to add and which to cancel on create/modify/cancel. */
class ControlBook {
    byEvent = new Map();
    known(eventId) {
        return this.byEvent.get(eventId);
    }
    /** Record the intents of an event version; returns the ids of the previous version's intents to cancel. */
    set(eventId, modification, intents) {
        const prev = this.byEvent.get(eventId);
        this.byEvent.set(eventId, { modification, intents });
        return prev ? prev.intents.map((i) => i.id) : [];
    }
    remove(eventId) {
        const prev = this.byEvent.get(eventId);
        this.byEvent.delete(eventId);
        return prev ? prev.intents.map((i) => i.id) : [];
    }
    eventIds() {
        return [...this.byEvent.keys()];
    }
    /** Intents still valid at `now`. */
    active(now) {
        return [...this.byEvent.values()].flatMap((v) => v.intents.filter((i) => i.validFrom <= now && now < i.validTo));
    }
    clear() {
        const ids = [...this.byEvent.values()].flatMap((v) => v.intents.map((i) => i.id));
        this.byEvent.clear();
        return ids;
    }
}
exports.ControlBook = ControlBook;
//# sourceMappingURL=controls.js.map