"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DerControlScheduler = exports.CONTROL_MODES = void 0;
exports.drawRandomization = drawRandomization;
const derControl_js_1 = require("./derControl.js");
const response_js_1 = require("./response.js");
exports.CONTROL_MODES = [
    'opModConnect',
    'opModEnergize',
    'opModFixedW',
    'opModMaxLimW',
    'opModTargetW',
    'opModTargetVar',
    'opModFixedVar',
    'opModImpLimW',
    'opModExpLimW',
    'opModGenLimW',
    'opModLoadLimW',
    'rampTms',
];
const FINAL = new Set(['completed', 'cancelled', 'superseded', 'aborted', 'rejected']);
function modesOf(base) {
    return exports.CONTROL_MODES.filter((m) => base[m] !== undefined);
}
/** Uniform draw bounded by a OneHourRangeType (seconds; sign gives the direction). */
function drawRandomization(range, random) {
    if (!range)
        return 0;
    const r = Math.max(-3600, Math.min(3600, range));
    return Math.round(random() * r);
}
class DerControlScheduler {
    opts;
    clock;
    random;
    supported;
    defaultHoldMs;
    maxWaitMs;
    offsetMs = 0;
    programs = [];
    events = new Map();
    timer;
    last = '';
    lastState = { at: 0, controls: [], activeEvents: [] };
    stopped = false;
    constructor(opts) {
        this.opts = opts;
        this.clock = opts.clock;
        this.random = opts.random ?? Math.random;
        this.supported = new Set(opts.supportedModes ?? exports.CONTROL_MODES);
        this.defaultHoldMs = opts.defaultHoldMs ?? 15 * 60_000;
        this.maxWaitMs = opts.maxWaitMs ?? 60_000;
    }
    /** Server clock minus local clock, ms (from the Time resource). */
    setServerOffset(ms) {
        this.offsetMs = ms;
        this.evaluate();
    }
    get serverOffsetMs() {
        return this.offsetMs;
    }
    serverNow() {
        return this.clock.now() + this.offsetMs;
    }
    /** Replace the known programs (each with its full control list) and re-evaluate. */
    setPrograms(programs) {
        this.programs = programs;
        this.evaluate();
    }
    /** Update one program's control list (other programs kept). */
    updateProgram(p) {
        const i = this.programs.findIndex((x) => x.href === p.href);
        if (i >= 0)
            this.programs[i] = p;
        else
            this.programs.push(p);
        this.evaluate();
    }
    state() {
        return this.lastState;
    }
    /** The effective randomized interval of an event (server ms), if known. */
    effectiveInterval(mRID) {
        const r = this.events.get(mRID);
        return r ? this.interval(r) : undefined;
    }
    stop() {
        this.stopped = true;
        this.clock.clearTimeout(this.timer);
        this.timer = undefined;
    }
    interval(r) {
        const start = (r.ctl.interval.start + r.randStartS) * 1000;
        const dur = Math.max(0, r.ctl.interval.duration + r.randDurS) * 1000;
        return { start, end: start + dur };
    }
    respond(r, status, nowMs) {
        if (r.sent.has(status) || !r.ctl.replyTo)
            return;
        const bits = parseInt(r.ctl.responseRequired ?? '0', 16) || 0;
        const wanted = status === response_js_1.RESPONSE_STATUS.received ? (bits & 1) !== 0 : (bits & 2) !== 0;
        r.sent.add(status);
        if (!wanted)
            return;
        const resp = { replyTo: r.ctl.replyTo, subject: r.ctl.mRID, status, createdDateTime: Math.floor(nowMs / 1000) };
        if (r.ctl.href)
            resp.eventHref = r.ctl.href;
        this.opts.onResponse?.(resp);
    }
    finish(r, phase, status, now) {
        if (FINAL.has(r.phase))
            return;
        r.phase = phase;
        this.respond(r, status, now);
    }
    /** Recompute now; called on every input change and by the timer. */
    evaluate() {
        if (this.stopped)
            return;
        const now = this.serverNow();
        this.ingest(now);
        this.supersedeWithinPrograms(now);
        const winners = this.pickWinners(now);
        this.completeAndAbort(now, winners);
        this.emit(now, winners);
        this.arm(now);
    }
    ingest(now) {
        for (const r of this.events.values())
            r.seen = false;
        for (const p of this.programs) {
            for (const ctl of p.controls) {
                let r = this.events.get(ctl.mRID);
                if (!r) {
                    r = {
                        ctl,
                        programHref: p.href,
                        primacy: p.primacy,
                        randStartS: drawRandomization(ctl.randomizeStart, this.random),
                        randDurS: drawRandomization(ctl.randomizeDuration, this.random),
                        phase: 'pending',
                        sent: new Set(),
                        seen: true,
                    };
                    this.events.set(ctl.mRID, r);
                    this.respond(r, response_js_1.RESPONSE_STATUS.received, now);
                    const modes = modesOf(ctl.DERControlBase);
                    const st = ctl.EventStatus.currentStatus;
                    if (st === derControl_js_1.EVENT_STATUS.scheduled || st === derControl_js_1.EVENT_STATUS.active) {
                        if (this.interval(r).end <= now)
                            this.finish(r, 'rejected', response_js_1.RESPONSE_STATUS.rejectedLate, now);
                        else if (!modes.some((m) => this.supported.has(m)))
                            this.finish(r, 'rejected', response_js_1.RESPONSE_STATUS.rejectedNotApplicable, now);
                    }
                }
                r.ctl = ctl;
                r.programHref = p.href;
                r.primacy = p.primacy;
                r.seen = true;
                const st = ctl.EventStatus.currentStatus;
                if (st === derControl_js_1.EVENT_STATUS.cancelled || st === derControl_js_1.EVENT_STATUS.cancelledRandom)
                    this.finish(r, 'cancelled', response_js_1.RESPONSE_STATUS.cancelled, now);
                else if (st === derControl_js_1.EVENT_STATUS.superseded)
                    this.finish(r, 'superseded', response_js_1.RESPONSE_STATUS.superseded, now);
            }
        }
        // Events the server no longer lists stop applying (no response: the server removed them itself).
        for (const [k, r] of this.events)
            if (!r.seen)
                this.events.delete(k);
    }
    supersedeWithinPrograms(now) {
        const live = [...this.events.values()].filter((r) => !FINAL.has(r.phase));
        for (const a of live) {
            for (const b of live) {
                if (a === b || a.programHref !== b.programHref || FINAL.has(a.phase) || FINAL.has(b.phase))
                    continue;
                const ia = this.interval(a);
                const ib = this.interval(b);
                if (!(ia.start < ib.end && ib.start < ia.end))
                    continue;
                const ma = modesOf(a.ctl.DERControlBase);
                if (!modesOf(b.ctl.DERControlBase).some((m) => ma.includes(m)))
                    continue;
                const bNewer = b.ctl.creationTime > a.ctl.creationTime || (b.ctl.creationTime === a.ctl.creationTime && b.ctl.mRID > a.ctl.mRID);
                if (bNewer)
                    this.finish(a, 'superseded', response_js_1.RESPONSE_STATUS.superseded, now);
            }
        }
    }
    better(a, b) {
        if (a.primacy !== b.primacy)
            return a.primacy < b.primacy;
        if (a.ctl.creationTime !== b.ctl.creationTime)
            return a.ctl.creationTime > b.ctl.creationTime;
        return a.ctl.mRID > b.ctl.mRID;
    }
    pickWinners(now) {
        const winners = new Map();
        for (const r of this.events.values()) {
            if (FINAL.has(r.phase))
                continue;
            const iv = this.interval(r);
            if (!(iv.start <= now && now < iv.end))
                continue;
            for (const m of modesOf(r.ctl.DERControlBase)) {
                if (!this.supported.has(m))
                    continue;
                const cur = winners.get(m);
                if (!cur || this.better(r, cur))
                    winners.set(m, r);
            }
        }
        return winners;
    }
    completeAndAbort(now, winners) {
        const winning = new Set(winners.values());
        for (const r of this.events.values()) {
            if (FINAL.has(r.phase))
                continue;
            const iv = this.interval(r);
            if (now >= iv.end) {
                if (r.phase === 'active')
                    this.finish(r, 'completed', response_js_1.RESPONSE_STATUS.completed, now);
                else
                    this.finish(r, 'aborted', response_js_1.RESPONSE_STATUS.abortedProgram, now);
                continue;
            }
            if (now < iv.start)
                continue;
            if (winning.has(r)) {
                if (r.phase === 'pending') {
                    r.phase = 'active';
                    this.respond(r, response_js_1.RESPONSE_STATUS.started, now);
                }
            }
            else {
                this.finish(r, 'aborted', response_js_1.RESPONSE_STATUS.abortedProgram, now);
            }
        }
    }
    emit(now, winners) {
        const controls = [];
        for (const [mode, r] of winners) {
            const iv = this.interval(r);
            controls.push({ mode, value: r.ctl.DERControlBase[mode], mRID: r.ctl.mRID, programHref: r.programHref, primacy: r.primacy, isDefault: false, validFrom: iv.start, validTo: iv.end });
        }
        const byPrimacy = [...this.programs].filter((p) => p.defaultControl).sort((a, b) => a.primacy - b.primacy);
        const holdTo = Math.floor(now / this.defaultHoldMs) * this.defaultHoldMs + this.defaultHoldMs;
        for (const mode of exports.CONTROL_MODES) {
            if (winners.has(mode) || !this.supported.has(mode))
                continue;
            const p = byPrimacy.find((x) => x.defaultControl.DERControlBase[mode] !== undefined);
            if (!p)
                continue;
            const d = p.defaultControl;
            // A default is held until the next event boundary or the hold window end, whichever is first.
            controls.push({ mode, value: d.DERControlBase[mode], mRID: d.mRID, programHref: p.href, primacy: p.primacy, isDefault: true, validFrom: now, validTo: Math.min(holdTo + this.defaultHoldMs, this.nextBoundary(now) ?? Infinity) });
        }
        controls.sort((a, b) => a.mode.localeCompare(b.mode));
        const activeEvents = [...new Set([...winners.values()].map((r) => r.ctl.mRID))].sort();
        const key = JSON.stringify([controls.map((c) => [c.mode, c.value, c.mRID, c.isDefault ? holdTo : c.validTo]), activeEvents]);
        this.lastState = { at: now, controls, activeEvents };
        if (key !== this.last) {
            this.last = key;
            this.opts.onChange?.(this.lastState);
        }
    }
    nextBoundary(now) {
        let next;
        for (const r of this.events.values()) {
            if (FINAL.has(r.phase))
                continue;
            const iv = this.interval(r);
            for (const t of [iv.start, iv.end])
                if (t > now && (next === undefined || t < next))
                    next = t;
        }
        return next;
    }
    arm(now) {
        this.clock.clearTimeout(this.timer);
        const next = this.nextBoundary(now);
        const holdNext = Math.floor(now / this.defaultHoldMs) * this.defaultHoldMs + this.defaultHoldMs;
        const at = Math.min(next ?? Infinity, holdNext);
        const wait = Math.max(1, Math.min(this.maxWaitMs, at - now));
        this.timer = this.clock.setTimeout(() => {
            this.timer = undefined;
            this.evaluate();
        }, wait);
    }
}
exports.DerControlScheduler = DerControlScheduler;
//# sourceMappingURL=scheduler.js.map