"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Arbiter = exports.targetKey = void 0;
/**
 * The arbiter shared by every control source (SAPC, 2030.5, OpenADR, MQTT, IEC 104, local plans).
 *
 * Per target (device + canonical point) at time t, with the intents whose window holds t (validFrom <= t < validTo):
 * - caps from any source class combine by minimum (the most restrictive limit binds);
 * - setpoints are ranked by source class (SOURCE_CLASSES order: safety, load_controller, dso, supplier, aggregator,
 *   owner, local_plan, default), then `priority` (lower wins), then the later validFrom, then the later submission;
 * - the value written is the winning setpoint (or the target's default) clipped to the cap; with no setpoint and no
 *   default it is the cap itself; with nothing active it is undefined (no control: the device's own behaviour).
 * Values outside a target's [min, max] are clipped, not rejected; only malformed intents are rejected.
 * Random delay is drawn once per intent id and never for intents marked `randomised`.
 * Every decision lands in `audit` (bounded) and is emitted as an `audit` event; value changes emit `change`.
 */
const node_events_1 = require("node:events");
const clock_js_1 = require("../clock.js");
const control_js_1 = require("../control.js");
const RANK = new Map(control_js_1.SOURCE_CLASSES.map((c, i) => [c, i]));
const targetKey = (t) => `${t.device}/${t.name}`;
exports.targetKey = targetKey;
class Arbiter extends node_events_1.EventEmitter {
    opts;
    audit = [];
    clock;
    targets = new Map();
    intents = new Map();
    byTarget = new Map();
    last = new Map();
    delays = new Map();
    order = 0;
    timer;
    timerAt;
    constructor(opts = {}) {
        super();
        this.opts = opts;
        this.clock = opts.clock ?? clock_js_1.systemClock;
        for (const t of opts.targets ?? [])
            this.configureTarget(t);
    }
    configureTarget(t) {
        this.targets.set((0, exports.targetKey)(t), { ...t });
        this.refresh();
    }
    submit(intent, options = {}) {
        const now = this.clock.now();
        const key = this.storeKey(intent);
        const invalid = this.validate(intent, now);
        if (invalid) {
            const result = { intentId: intent.id, outcome: 'rejected', reason: invalid, target: intent.target, validFrom: intent.validFrom, validTo: intent.validTo };
            this.record({ action: 'submit', ...describe(intent), outcome: 'rejected', reason: invalid });
            return result;
        }
        const fingerprint = JSON.stringify([intent.source, intent.sourceClass, intent.target, intent.value, intent.cap, intent.validFrom, intent.validTo, intent.priority, intent.randomised]);
        const existing = this.intents.get(key);
        if (existing && existing.fingerprint === fingerprint) {
            this.record({ action: 'duplicate', ...describe(existing.intent), outcome: existing.result.outcome, reason: 'identical resubmission; not applied again' });
            return { ...existing.result, duplicate: true };
        }
        // Clip to the target's bounds rather than reject.
        const cfg = this.targets.get((0, exports.targetKey)(intent.target));
        const stored = { ...intent, target: { device: intent.target.device, name: intent.target.name } };
        let clipReason;
        const clip = (v, what) => {
            const c = Math.min(cfg?.max ?? Infinity, Math.max(cfg?.min ?? -Infinity, v));
            if (c !== v)
                clipReason = `${what} ${v} clipped to ${c} (target bounds ${cfg?.min ?? '-∞'}..${cfg?.max ?? '∞'})`;
            return c;
        };
        if (stored.cap !== undefined)
            stored.cap = clip(stored.cap, 'cap');
        if (typeof stored.value === 'number')
            stored.value = clip(stored.value, 'value');
        // Randomise once per intent id.
        let delay = this.delays.get(key);
        if (delay === undefined) {
            const max = intent.randomised ? 0 : (options.randomDelayMaxMs ?? this.opts.randomDelayMaxMs?.[intent.sourceClass] ?? 0);
            delay = max > 0 ? Math.floor((this.opts.random ?? Math.random)() * max) : 0;
            this.delays.set(key, delay);
            // Remember draws well beyond any intent's life, but bounded.
            if (this.delays.size > 100_000)
                this.delays.delete(this.delays.keys().next().value);
        }
        if (delay > 0) {
            stored.validFrom = Math.max(intent.validFrom, now) + delay;
            stored.validTo = intent.validTo + delay;
            stored.randomised = true;
        }
        const entry = { intent: stored, tkey: (0, exports.targetKey)(stored.target), order: ++this.order, randomDelayMs: delay, fingerprint, result: undefined };
        const before = this.evaluate(intent.target, Math.max(now, stored.validFrom));
        this.put(key, entry);
        const at = Math.max(now, stored.validFrom);
        const after = this.evaluate(intent.target, at);
        entry.result = this.outcomeOf(entry, before, after, at > now, clipReason);
        this.record({
            action: 'submit',
            ...describe(stored),
            outcome: entry.result.scheduled ? 'scheduled' : entry.result.outcome,
            ...(entry.result.reason ? { reason: entry.result.reason } : {}),
            effective: after.value,
            ...(entry.result.supersedes?.length ? { superseded: entry.result.supersedes } : {}),
            ...(delay ? { randomDelayMs: delay } : {}),
        });
        if (existing && existing.tkey !== entry.tkey)
            this.refresh();
        else
            this.refresh(stored.target);
        return entry.result;
    }
    cancel(id, source) {
        for (const [key, s] of this.intents) {
            if (s.intent.id !== id || (source !== undefined && s.intent.source !== source))
                continue;
            this.drop(key);
            this.record({ action: 'cancel', ...describe(s.intent), outcome: 'cancelled' });
            this.refresh(s.intent.target);
            return { intentId: id, outcome: 'cancelled', target: s.intent.target, validFrom: s.intent.validFrom, validTo: s.intent.validTo };
        }
        return undefined;
    }
    /** The effective value for a target now (pure; exact at window boundaries). */
    effective(target) {
        return this.evaluate(target, this.clock.now());
    }
    /** Intents held (active or pending), optionally for one target. */
    list(target) {
        const k = target && (0, exports.targetKey)(target);
        return [...this.intents.values()].filter((s) => !k || s.tkey === k).map((s) => ({ ...s.intent }));
    }
    close() {
        this.clock.clearTimeout(this.timer);
        this.timer = undefined;
        this.timerAt = undefined;
    }
    // ------------------------------------------------------------------ internals
    put(key, e) {
        this.drop(key);
        this.intents.set(key, e);
        let set = this.byTarget.get(e.tkey);
        if (!set)
            this.byTarget.set(e.tkey, (set = new Set()));
        set.add(e);
    }
    drop(key) {
        const old = this.intents.get(key);
        if (!old)
            return;
        this.intents.delete(key);
        const set = this.byTarget.get(old.tkey);
        set?.delete(old);
        if (set && set.size === 0)
            this.byTarget.delete(old.tkey);
    }
    storeKey(i) {
        return `${i.source}\u0000${i.id}`;
    }
    validate(i, now) {
        if (!RANK.has(i.sourceClass))
            return `unknown source class "${String(i.sourceClass)}"`;
        if (!i.id)
            return 'missing intent id';
        if (!i.target?.device || !i.target?.name)
            return 'missing target device/name';
        if ((i.value === undefined) === (i.cap === undefined))
            return 'exactly one of value or cap is required';
        if (i.cap !== undefined && !Number.isFinite(i.cap))
            return `cap ${i.cap} is not a finite number`;
        if (typeof i.value === 'number' && !Number.isFinite(i.value))
            return `value ${i.value} is not a finite number`;
        if (!Number.isFinite(i.validFrom) || !Number.isFinite(i.validTo))
            return 'validFrom/validTo must be epoch ms';
        if (i.validTo <= i.validFrom)
            return 'validTo must be after validFrom';
        if (i.validTo <= now)
            return 'window already ended';
        const cfg = this.targets.get((0, exports.targetKey)(i.target));
        if (cfg && (cfg.min !== undefined || cfg.max !== undefined) && i.value !== undefined && typeof i.value !== 'number')
            return `value must be a number for ${(0, exports.targetKey)(i.target)}`;
        return undefined;
    }
    evaluate(target, t) {
        const key = (0, exports.targetKey)(target);
        let cap;
        let sp;
        let next;
        for (const s of this.byTarget.get(key) ?? []) {
            const i = s.intent;
            if (i.validFrom > t && (next === undefined || i.validFrom < next))
                next = i.validFrom;
            if (i.validTo > t && (next === undefined || i.validTo < next))
                next = i.validTo;
            if (!(i.validFrom <= t && t < i.validTo))
                continue;
            if (i.cap !== undefined) {
                if (!cap || i.cap < cap.intent.cap || (i.cap === cap.intent.cap && outranks(s, cap)))
                    cap = s;
            }
            else if (!sp || outranks(s, sp))
                sp = s;
        }
        const cfg = this.targets.get(key);
        const e = { target: { device: target.device, name: target.name }, value: undefined, basis: 'none', governing: [], at: t };
        if (next !== undefined)
            e.nextChange = next;
        const base = sp ? sp.intent.value : cfg?.default;
        if (cap)
            e.cap = cap.intent.cap;
        if (sp)
            e.setpoint = sp.intent.value;
        if (base !== undefined) {
            e.basis = sp ? 'setpoint' : 'default';
            e.value = base;
            if (sp) {
                e.governing.push(sp.intent.id);
                e.sourceClass = sp.intent.sourceClass;
            }
            if (cap && typeof base === 'number' && cap.intent.cap < base) {
                e.value = cap.intent.cap;
                e.basis = 'cap';
                e.governing.push(cap.intent.id);
                e.sourceClass = cap.intent.sourceClass;
            }
        }
        else if (cap) {
            e.value = cap.intent.cap;
            e.basis = 'cap';
            e.governing.push(cap.intent.id);
            e.sourceClass = cap.intent.sourceClass;
        }
        return e;
    }
    outcomeOf(s, before, after, scheduled, clipReason) {
        const i = s.intent;
        const r = { intentId: i.id, outcome: 'applied', target: i.target, validFrom: i.validFrom, validTo: i.validTo, effective: after.value };
        if (after.value === undefined)
            delete r.effective;
        if (scheduled)
            r.scheduled = true;
        if (s.randomDelayMs)
            r.randomDelayMs = s.randomDelayMs;
        const others = after.governing.filter((g) => g !== i.id);
        if (!after.governing.includes(i.id)) {
            r.outcome = 'superseded';
            r.supersededBy = others;
            r.reason = i.cap !== undefined ? `a lower cap (${after.cap}) is active` : `a higher-ranked setpoint is active (${after.sourceClass})`;
        }
        else if (i.value !== undefined && after.basis === 'cap') {
            r.outcome = 'clipped';
            r.supersededBy = others;
            r.reason = `value ${String(i.value)} clipped to cap ${after.cap} (${after.sourceClass})`;
        }
        else if (clipReason) {
            r.outcome = 'clipped';
            r.reason = clipReason;
        }
        const displaced = before.governing.filter((g) => !after.governing.includes(g));
        if (displaced.length && after.governing.includes(i.id))
            r.supersedes = displaced;
        return r;
    }
    /**
     * Drop expired intents, re-evaluate (only `only`'s target plus expired ones after a submit/cancel; everything on a
     * timer or configuration change), emit changes, and arm the timer for the next boundary of any target.
     */
    refresh(only) {
        const now = this.clock.now();
        const todo = new Map();
        if (only) {
            todo.set((0, exports.targetKey)(only), only);
            // Boundaries of other targets already passed (a late timer on a real clock) are caught up too.
            for (const [k, e] of this.last)
                if (e.nextChange !== undefined && e.nextChange <= now)
                    todo.set(k, e.target);
        }
        else {
            for (const [k, e] of this.last)
                todo.set(k, e.target);
            for (const [k, t] of this.targets)
                todo.set(k, t);
            for (const set of this.byTarget.values())
                for (const s of set)
                    todo.set(s.tkey, s.intent.target);
        }
        for (const [key, s] of this.intents) {
            if (s.intent.validTo <= now) {
                this.drop(key);
                todo.set(s.tkey, s.intent.target);
                this.record({ action: 'expire', ...describe(s.intent), outcome: 'expired' });
            }
        }
        for (const [k, target] of todo) {
            const e = this.evaluate(target, now);
            const prev = this.last.get(k);
            this.last.set(k, e);
            const changed = prev ? prev.value !== e.value || prev.governing.join() !== e.governing.join() : e.value !== undefined;
            if (changed) {
                this.record({ action: 'change', target: e.target, effective: e.value, reason: `${e.basis}${e.sourceClass ? ` from ${e.sourceClass}` : ''}${e.governing.length ? ` (${e.governing.join(', ')})` : ''}` });
                this.emit('change', e);
            }
        }
        let next;
        for (const e of this.last.values())
            if (e.nextChange !== undefined && e.nextChange > now && (next === undefined || e.nextChange < next))
                next = e.nextChange;
        if (next !== this.timerAt) {
            this.clock.clearTimeout(this.timer);
            this.timer = undefined;
            this.timerAt = next;
            if (next !== undefined)
                this.timer = this.clock.setTimeout(() => ((this.timer = undefined), (this.timerAt = undefined), this.refresh()), Math.max(0, next - now));
        }
    }
    record(e) {
        const entry = { at: this.clock.now(), ...e };
        this.audit.push(entry);
        const limit = this.opts.auditLimit ?? 10_000;
        // Trim in batches so a full log costs O(1) per entry.
        if (this.audit.length > limit + Math.max(1, limit >> 4))
            this.audit.splice(0, this.audit.length - limit);
        this.emit('audit', entry);
    }
}
exports.Arbiter = Arbiter;
function outranks(a, b) {
    const ra = RANK.get(a.intent.sourceClass);
    const rb = RANK.get(b.intent.sourceClass);
    if (ra !== rb)
        return ra < rb;
    const pa = a.intent.priority ?? Infinity;
    const pb = b.intent.priority ?? Infinity;
    if (pa !== pb)
        return pa < pb;
    if (a.intent.validFrom !== b.intent.validFrom)
        return a.intent.validFrom > b.intent.validFrom;
    return a.order > b.order;
}
function describe(i) {
    const d = { intentId: i.id, source: i.source, sourceClass: i.sourceClass, target: i.target, validFrom: i.validFrom, validTo: i.validTo };
    if (i.value !== undefined)
        d.value = i.value;
    if (i.cap !== undefined)
        d.cap = i.cap;
    return d;
}
//# sourceMappingURL=arbiter.js.map