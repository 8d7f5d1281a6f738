"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.LinkLayer = exports.DEFAULT_LINK = void 0;
exports.linkParameters = linkParameters;
const errors_js_1 = require("../../core/errors.js");
const apci_js_1 = require("./apci.js");
const asdu_js_1 = require("./asdu.js");
const codec_js_1 = require("./codec.js");
exports.DEFAULT_LINK = Object.freeze({ k: 12, w: 8, t0: 30_000, t1: 15_000, t2: 10_000, t3: 20_000, maxQueue: 100_000 });
function linkParameters(p = {}) {
    const r = { ...exports.DEFAULT_LINK, ...p };
    if (!(r.k >= 1 && r.k <= 32767 && r.w >= 1 && r.w <= 32767))
        throw new RangeError(`k=${r.k}, w=${r.w} must be 1..32767`);
    if (r.w > r.k)
        throw new RangeError(`w=${r.w} must not exceed k=${r.k} (IEC 60870-5-104 §5.5 recommends w ≤ 2/3 k)`);
    if (!(r.t2 < r.t1))
        throw new RangeError(`t2=${r.t2} must be below t1=${r.t1}`);
    for (const t of ['t0', 't1', 't2', 't3'])
        if (!(r[t] > 0))
            throw new RangeError(`${t} must be positive`);
    return r;
}
class LinkLayer {
    role;
    h;
    clock;
    params;
    reader = new apci_js_1.FrameReader();
    vs = 0;
    vr = 0;
    /** Oldest sequence number not yet acknowledged by the peer. */
    ackBase = 0;
    unacked = [];
    queue = [];
    queueHead = 0;
    rxUnacked = 0;
    rxFirstUnackedAt = 0;
    lastRx;
    startedFlag = false;
    stopPending = false;
    pendingU;
    t1Timer;
    t1Due = Infinity;
    t2Timer;
    t3Timer;
    isClosed = false;
    stats = { iSent: 0, iReceived: 0, sSent: 0, testFramesSent: 0 };
    constructor(role, h, clock, params = {}) {
        this.role = role;
        this.h = h;
        this.clock = clock;
        this.params = linkParameters(params);
        this.lastRx = clock.monotonic();
        this.armT3();
    }
    get started() {
        return this.startedFlag;
    }
    get closed() {
        return this.isClosed;
    }
    /** I frames waiting for the window. */
    get queued() {
        return this.queue.length - this.queueHead;
    }
    /** I frames sent and not yet acknowledged. */
    get inFlight() {
        return this.unacked.length;
    }
    get sequence() {
        return { vs: this.vs, vr: this.vr, ackBase: this.ackBase };
    }
    /** Controlling station: request data transfer (STARTDT act). */
    start() {
        if (this.isClosed)
            return;
        this.sendU('STARTDT_ACT');
    }
    /** Controlling station: stop data transfer (STOPDT act). */
    stop() {
        if (this.isClosed)
            return;
        this.sendU('STOPDT_ACT');
    }
    /** Queue an ASDU; it goes out when data transfer is started and the k window has room. False when refused. */
    sendAsdu(asdu, tag) {
        if (this.isClosed || this.queued >= this.params.maxQueue)
            return false;
        this.queue.push(tag === undefined ? { asdu } : { asdu, tag });
        this.flush();
        return true;
    }
    /** Unacknowledged and queued ASDUs with their tags (for re-sending on another connection after a close). */
    pending() {
        return [...this.unacked.map(({ asdu, tag }) => ({ asdu, tag })), ...this.queue.slice(this.queueHead)];
    }
    /** Feed received octets. */
    receive(chunk) {
        if (this.isClosed)
            return;
        this.lastRx = this.clock.monotonic();
        try {
            this.reader.push(chunk, (f) => {
                if (!this.isClosed)
                    this.onFrame(f);
            });
        }
        catch (e) {
            this.close(e instanceof errors_js_1.DecodeError ? `framing error: ${e.message}` : `receive failed: ${(0, errors_js_1.errorMessage)(e)}`);
            return;
        }
    }
    close(reason) {
        if (this.isClosed)
            return;
        this.isClosed = true;
        this.clock.clearTimeout(this.t1Timer);
        this.clock.clearTimeout(this.t2Timer);
        this.clock.clearTimeout(this.t3Timer);
        const was = this.startedFlag;
        this.startedFlag = false;
        if (was && this.h.state)
            this.h.state(false);
        this.h.closed(reason);
    }
    onFrame(frame) {
        let apdu;
        try {
            apdu = (0, apci_js_1.decodeApdu)(frame);
        }
        catch (e) {
            this.close(`protocol error: ${(0, errors_js_1.errorMessage)(e)}`);
            return;
        }
        const a = apdu.apci;
        if (a.format === 'I') {
            if (a.ns !== this.vr) {
                this.close(`sequence error: received N(S)=${a.ns}, expected ${this.vr}`);
                return;
            }
            if (!this.ackUpTo(a.nr))
                return;
            this.vr = (this.vr + 1) % apci_js_1.SEQ_MODULO;
            this.stats.iReceived++;
            if (this.rxUnacked === 0)
                this.rxFirstUnackedAt = this.lastRx;
            this.rxUnacked++;
            let asdu;
            try {
                asdu = (0, asdu_js_1.decodeAsdu)(apdu.asdu, 6);
            }
            catch (e) {
                this.h.warn?.(`dropped undecodable ASDU in I frame N(S)=${a.ns}: ${(0, errors_js_1.errorMessage)(e)}`);
            }
            if (asdu)
                this.h.asdu(asdu);
            if (this.isClosed)
                return;
            if (this.rxUnacked >= this.params.w)
                this.sendS();
            else
                this.armT2();
            this.flush();
        }
        else if (a.format === 'S') {
            if (this.ackUpTo(a.nr))
                this.flush();
        }
        else
            this.onU(a.fn);
    }
    onU(fn) {
        switch (fn) {
            case 'TESTFR_ACT':
                this.writeFrame((0, apci_js_1.encodeUFrame)('TESTFR_CON'));
                return;
            case 'TESTFR_CON':
                if (this.pendingU?.fn === 'TESTFR_ACT')
                    this.clearPendingU();
                return;
            case 'STARTDT_ACT':
                this.writeFrame((0, apci_js_1.encodeUFrame)('STARTDT_CON'));
                this.stopPending = false;
                this.setStarted(true);
                this.flush();
                return;
            case 'STOPDT_ACT':
                // Finish what is in flight, then confirm (IEC 60870-5-104 §5.3): no new I frames meanwhile.
                this.stopPending = true;
                this.maybeConfirmStop();
                return;
            case 'STARTDT_CON':
                if (this.pendingU?.fn === 'STARTDT_ACT')
                    this.clearPendingU();
                this.setStarted(true);
                this.flush();
                return;
            case 'STOPDT_CON':
                if (this.pendingU?.fn === 'STOPDT_ACT')
                    this.clearPendingU();
                this.setStarted(false);
                return;
        }
    }
    maybeConfirmStop() {
        if (!this.stopPending || this.unacked.length > 0)
            return;
        if (this.rxUnacked > 0)
            this.sendS();
        this.stopPending = false;
        this.writeFrame((0, apci_js_1.encodeUFrame)('STOPDT_CON'));
        this.setStarted(false);
    }
    setStarted(v) {
        if (this.startedFlag === v)
            return;
        this.startedFlag = v;
        this.h.state?.(v);
    }
    /** Apply a received N(R); false (and closed) when it acknowledges frames never sent. */
    ackUpTo(nr) {
        const outstanding = (0, apci_js_1.seqDiff)(this.vs, this.ackBase);
        const acked = (0, apci_js_1.seqDiff)(nr, this.ackBase);
        if (acked > outstanding) {
            this.close(`sequence error: N(R)=${nr} outside ${this.ackBase}..${this.vs}`);
            return false;
        }
        if (acked === 0)
            return true;
        const done = this.unacked.splice(0, acked);
        this.ackBase = nr;
        if (this.h.acked) {
            const tags = [];
            for (const s of done)
                if (s.tag !== undefined)
                    tags.push(s.tag);
            if (tags.length)
                this.h.acked(tags);
        }
        this.armT1();
        if (this.stopPending)
            this.maybeConfirmStop();
        return true;
    }
    canSend() {
        if (this.isClosed || this.stopPending)
            return false;
        // The controlled station sends only after STARTDT; the controlling station only after STARTDT con.
        return this.startedFlag && this.unacked.length < this.params.k;
    }
    flush() {
        if (!this.canSend() || this.queued === 0)
            return;
        this.h.cork?.();
        while (this.queued > 0 && this.canSend()) {
            const out = this.queue[this.queueHead];
            this.queue[this.queueHead++] = undefined;
            let frame;
            try {
                frame = Buffer.isBuffer(out.asdu) ? (0, apci_js_1.encodeIFrame)(this.vs, this.vr, out.asdu) : (0, codec_js_1.encodeIAsdu)(this.vs, this.vr, out.asdu);
            }
            catch (e) {
                this.h.warn?.(`dropped ASDU that cannot be encoded: ${(0, errors_js_1.errorMessage)(e)}`);
                continue;
            }
            const now = this.clock.monotonic();
            const sent = { asdu: out.asdu, seq: this.vs, at: now };
            if (out.tag !== undefined)
                sent.tag = out.tag;
            this.unacked.push(sent);
            this.vs = (this.vs + 1) % apci_js_1.SEQ_MODULO;
            this.stats.iSent++;
            this.rxUnacked = 0; // the I frame carries N(R)
            this.h.write(frame);
        }
        if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
            this.queue = this.queue.slice(this.queueHead);
            this.queueHead = 0;
        }
        this.h.uncork?.();
        this.armT1();
    }
    sendS() {
        this.rxUnacked = 0;
        this.stats.sSent++;
        this.writeFrame((0, apci_js_1.encodeSFrame)(this.vr));
    }
    sendU(fn) {
        this.pendingU = { fn, at: this.clock.monotonic() };
        if (fn === 'TESTFR_ACT')
            this.stats.testFramesSent++;
        this.writeFrame((0, apci_js_1.encodeUFrame)(fn));
        this.armT1();
    }
    clearPendingU() {
        this.pendingU = undefined;
        this.armT1();
    }
    writeFrame(f) {
        if (!this.isClosed)
            this.h.write(f);
    }
    // --- timers: deadlines are kept as monotonic times; a timer fires at the earliest and re-checks ---------------
    armT1() {
        let due = Infinity;
        if (this.unacked.length)
            due = this.unacked[0].at + this.params.t1;
        if (this.pendingU)
            due = Math.min(due, this.pendingU.at + this.params.t1);
        if (due === this.t1Due)
            return;
        this.clock.clearTimeout(this.t1Timer);
        this.t1Timer = undefined;
        this.t1Due = due;
        if (due === Infinity)
            return;
        this.t1Timer = this.clock.setTimeout(() => this.onT1(), Math.max(0, due - this.clock.monotonic()));
    }
    onT1() {
        this.t1Timer = undefined;
        this.t1Due = Infinity;
        const now = this.clock.monotonic();
        if (this.unacked.length && now - this.unacked[0].at >= this.params.t1) {
            this.close(`t1 expired: I frame N(S)=${this.unacked[0].seq} not acknowledged within ${this.params.t1} ms`);
            return;
        }
        if (this.pendingU && now - this.pendingU.at >= this.params.t1) {
            this.close(`t1 expired: no confirmation of ${this.pendingU.fn} within ${this.params.t1} ms`);
            return;
        }
        this.armT1();
    }
    armT2() {
        if (this.t2Timer !== undefined)
            return;
        this.t2Timer = this.clock.setTimeout(() => this.onT2(), this.params.t2);
    }
    onT2() {
        this.t2Timer = undefined;
        if (this.isClosed || this.rxUnacked === 0)
            return;
        const left = this.rxFirstUnackedAt + this.params.t2 - this.clock.monotonic();
        if (left > 0) {
            this.t2Timer = this.clock.setTimeout(() => this.onT2(), left);
            return;
        }
        this.sendS();
    }
    armT3() {
        this.t3Timer = this.clock.setTimeout(() => this.onT3(), this.params.t3);
    }
    onT3() {
        this.t3Timer = undefined;
        if (this.isClosed)
            return;
        const idle = this.clock.monotonic() - this.lastRx;
        if (idle >= this.params.t3) {
            if (!this.pendingU)
                this.sendU('TESTFR_ACT');
            this.lastRx = this.clock.monotonic(); // next test frame after another t3 of silence
        }
        this.t3Timer = this.clock.setTimeout(() => this.onT3(), Math.max(1, this.lastRx + this.params.t3 - this.clock.monotonic()));
    }
}
exports.LinkLayer = LinkLayer;
//# sourceMappingURL=link.js.map